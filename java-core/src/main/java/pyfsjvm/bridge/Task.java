package pyfsjvm.bridge;

import java.util.concurrent.TimeUnit;

/**
 * One long operation started from Python. Python never blocks in Java for long: it calls
 * {@link #await(long)} in short slices (the GIL is released during each), handles Ctrl-C and runs
 * queued callbacks between slices, and calls {@link #cancel()} on KeyboardInterrupt.
 *
 * <p>Subclasses implement {@link #compute()} and, if they report progress or per-item results,
 * queue them and call {@link #wake()} so that a waiting Python thread returns early to drain them.
 */
public abstract class Task<R> {
    /** {@link #await} results. */
    public static final int TIMEOUT = 0;
    public static final int WOKEN = 1;
    public static final int DONE = 2;

    protected final Cancel cancel = new Cancel();
    private final Object lock = new Object();
    private boolean done;
    private boolean woken;
    private R result;
    private Throwable failure;

    protected abstract R compute() throws Exception;

    /** Starts the task on the shared pool and returns it. */
    public final Task<R> start() {
        Workers.pool().execute(this::runNow);
        return this;
    }

    /** Runs the task on the calling thread (tests and tiny operations). */
    public final Task<R> runNow() {
        R r = null;
        Throwable t = null;
        try {
            r = compute();
        } catch (Throwable e) {
            t = e;
        }
        synchronized (lock) {
            result = r;
            failure = t;
            done = true;
            lock.notifyAll();
        }
        return this;
    }

    /**
     * Waits up to {@code millis} for the task to finish or to {@link #wake()} its caller.
     * Returns {@link #DONE}, {@link #WOKEN} or {@link #TIMEOUT}.
     */
    public final int await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (!done && !woken) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return TIMEOUT;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            if (woken) {
                woken = false;
                return done ? DONE : WOKEN;
            }
            return DONE;
        }
    }

    /** Tells a waiting caller that there is something to drain. */
    protected final void wake() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    public final boolean isDone() {
        synchronized (lock) {
            return done;
        }
    }

    /** Asks the task to stop; it finishes promptly with a {@link Cancel.CancelledException}. */
    public void cancel() {
        cancel.cancel();
    }

    public final boolean isCancelled() {
        return cancel.isCancelled();
    }

    /** The result; rethrows the failure the task ended with. Only valid once done. */
    public final R result() throws Exception {
        synchronized (lock) {
            if (!done) {
                throw new IllegalStateException("task is still running");
            }
            if (failure instanceof Exception e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return result;
        }
    }
}
