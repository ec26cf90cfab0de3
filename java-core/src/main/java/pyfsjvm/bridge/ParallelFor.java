package pyfsjvm.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs {@code body(state, i)} for {@code i} in {@code [0, n)} on {@code threads} threads (the caller
 * is one of them), each with its own {@code state} (a per-thread hasher, buffer...). Items are
 * handed out in index order, one at a time, so a caller that sorts its work (e.g. by inode, for
 * I/O locality) gets it processed in roughly that order. Checks {@code cancel} before every item.
 * The first unexpected exception cancels {@code cancel} (so the others stop even inside a long
 * item) and is rethrown on the caller's thread (an
 * {@link FsException} as itself, other checked exceptions wrapped).
 *
 * <p>The one parallel loop of the core: {@link Parallel#forEach} is its stateless form.
 */
public final class ParallelFor {
    private ParallelFor() {}

    @FunctionalInterface
    public interface Body<S> {
        void run(S state, int index) throws Exception;
    }

    public static <S> void run(int n, int threads, Cancel cancel, Supplier<S> state, Body<S> body)
            throws FsException {
        if (n <= 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable loop = () -> {
            S s = state.get();
            try {
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < n; ) {
                    cancel.check();
                    body.run(s, i);
                }
            } catch (Throwable t) {
                if (failure.compareAndSet(null, t) && !(t instanceof Cancel.CancelledException)) {
                    cancel.cancel(); // stop the others inside their current item too (a long copy, a big hash)
                }
            }
        };
        int extra = Math.max(0, Math.min(threads, n) - 1);
        List<Future<?>> helpers = new ArrayList<>(extra);
        for (int k = 0; k < extra; k++) {
            helpers.add(Workers.pool().submit(loop));
        }
        loop.run();
        // an interrupt stops the others (cancel) but the wait goes on: nothing may outlive the call
        if (Workers.awaitAll(helpers, cancel::cancel, e -> failure.compareAndSet(null, e))) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t instanceof FsException fe) {
            throw fe;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
