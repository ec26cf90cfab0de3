package pyfsjvm.bridge;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A parallel loop over {@code 0..count-1} on the shared pool, for work items that are known up
 * front (a list of directories to read, files to stat). The caller's thread works too, so a loop
 * of one item costs no thread hand-off. Items are taken one at a time from a shared counter, so
 * uneven items balance themselves. Cancellation is checked before every item.
 */
public final class Parallel {
    private Parallel() {}

    /**
     * Runs {@code body.accept(i)} for every {@code i < count} on up to {@code threads} threads
     * (the caller's included) and returns when all are done. The first exception thrown by
     * {@code body} stops the loop and is rethrown here (after the other threads have stopped).
     */
    public static void forEach(int count, int threads, Cancel cancel, IntConsumer body) {
        if (count <= 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        RuntimeException[] failure = new RuntimeException[1];
        Runnable loop = () -> {
            int i;
            while ((i = next.getAndIncrement()) < count) {
                if (cancel.isCancelled()) {
                    return;
                }
                try {
                    body.accept(i);
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                    next.set(count); // the others stop after their current item
                    return;
                }
            }
        };
        int helpers = Math.min(Math.max(1, threads), count) - 1;
        Future<?>[] started = new Future<?>[helpers];
        for (int k = 0; k < helpers; k++) {
            started[k] = Workers.pool().submit(loop);
        }
        loop.run();
        boolean interrupted = false;
        for (Future<?> f : started) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel.cancel(); // the helpers stop at their next item; keep waiting for them
                } catch (java.util.concurrent.ExecutionException e) {
                    break; // cannot happen: the loop catches what body throws
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        cancel.check();
        if (failure[0] != null) {
            throw failure[0];
        }
    }
}
