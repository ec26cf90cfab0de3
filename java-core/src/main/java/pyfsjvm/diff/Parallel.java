package pyfsjvm.diff;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Workers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs jobs {@code 0..n-1} on up to {@code workers} threads (the caller's included), each thread with
 * state of its own (a hasher, a copier). Jobs record their per-item failures themselves; an
 * exception thrown by a job stops the others and is rethrown once every thread has stopped.
 */
final class Parallel {
    private Parallel() {}

    interface Job<S> {
        void run(S state, int i) throws FsException;
    }

    static <S> void forEach(int n, int workers, Cancel cancel, Supplier<S> state, Job<S> job) throws FsException {
        if (n == 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable loop = () -> {
            try {
                S s = state.get();
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                    cancel.check();
                    job.run(s, i);
                }
            } catch (Throwable t) {
                if (failure.compareAndSet(null, t) && !(t instanceof Cancel.CancelledException)) {
                    cancel.cancel();
                }
            }
        };
        int threads = Math.max(1, Math.min(workers, n));
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 1; w < threads; w++) {
            futures.add(Workers.pool().submit(loop));
        }
        loop.run();
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    cancel.cancel();
                } catch (ExecutionException e) {
                    break;
                }
            }
        }
        Throwable t = failure.get();
        if (t instanceof FsException fe) {
            throw fe;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error er) {
            throw er;
        }
        cancel.check();
    }
}
