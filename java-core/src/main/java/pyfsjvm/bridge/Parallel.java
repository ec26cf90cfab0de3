package pyfsjvm.bridge;

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
        try {
            ParallelFor.run(count, threads, cancel, () -> null, (unused, i) -> body.accept(i));
        } catch (FsException e) {
            throw new IllegalStateException(e); // cannot happen: an IntConsumer throws no FsException
        }
    }
}
