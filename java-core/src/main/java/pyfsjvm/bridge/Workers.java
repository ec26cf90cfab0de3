package pyfsjvm.bridge;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The thread pools every family shares. {@link #count()} is the parallelism an operation uses when
 * the caller does not say ({@code pyfs_jvm.configure(workers=...)}, default: available processors).
 * Threads are daemons so that they never keep the Python process alive.
 */
public final class Workers {
    private Workers() {}

    private static volatile int count = Runtime.getRuntime().availableProcessors();

    /** Threads for whole operations (one per running task) and for their worker loops. */
    private static final ExecutorService POOL = Executors.newCachedThreadPool(daemonThreads("pyfs-jvm"));

    public static void configure(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        count = workers;
    }

    /** Default parallelism for CPU- and I/O-bound work. */
    public static int count() {
        return count;
    }

    /**
     * Threads for I/O-bound work such as reading directories: more than the CPUs, because each
     * spends much of its time waiting in the kernel (or on a network file system).
     */
    public static int io() {
        return Math.max(4, 2 * count);
    }

    /** Resolves a per-call worker count: null or 0 means the configured default. */
    public static int resolve(Integer requested) {
        return requested == null || requested <= 0 ? count : requested;
    }

    public static ExecutorService pool() {
        return POOL;
    }

    /**
     * Waits for every one of {@code futures}, in order, however the wait is interrupted: no worker
     * may outlive the call that started it. An interrupt runs {@code onInterrupt} (typically: cancel
     * the workers, so that they end soon) and the wait goes on; a worker that failed passes its
     * cause to {@code onFailure}. Returns whether the wait was interrupted (the interrupt status is
     * left to the caller).
     */
    public static boolean awaitAll(List<? extends Future<?>> futures, Runnable onInterrupt,
                                   Consumer<Throwable> onFailure) {
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    onInterrupt.run();
                } catch (ExecutionException e) {
                    onFailure.accept(e.getCause());
                    break;
                }
            }
        }
        return interrupted;
    }

    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
