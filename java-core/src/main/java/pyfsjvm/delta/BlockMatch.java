package pyfsjvm.delta;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Pairs the two sides' block digests as they arrive (in any order, from any thread) and gives each
 * block its verdict as soon as both of its digests are in, so a changed block can be copied while
 * the rest of the file is still being hashed.
 *
 * <p>A block is a hit when both sides have it with equal digests; anything else is a miss, and a
 * miss inside the source is reported to {@code changed} exactly once. A block whose digest never
 * came (a server that left a line out) or came twice is settled by {@link #finish()} or by its
 * first arrivals: either way it counts as a miss and is copied, never skipped.
 */
final class BlockMatch {
    private final byte[][] source;
    private final byte[][] target;
    /** Digests still expected per block; the arrival that takes it to zero decides the block. */
    private final AtomicIntegerArray waiting;
    private final LongConsumer changed;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    BlockMatch(int sourceBlocks, int targetBlocks, LongConsumer changed) {
        this.source = new byte[sourceBlocks][];
        this.target = new byte[targetBlocks][];
        this.changed = changed;
        int union = Math.max(sourceBlocks, targetBlocks);
        this.waiting = new AtomicIntegerArray(union);
        for (int i = 0; i < union; i++) {
            waiting.set(i, (i < sourceBlocks ? 1 : 0) + (i < targetBlocks ? 1 : 0));
        }
    }

    void source(int i, byte[] digest) {
        source[i] = digest;
        if (waiting.decrementAndGet(i) == 0) {
            decide(i);
        }
    }

    void target(int i, byte[] digest) {
        target[i] = digest;
        if (waiting.decrementAndGet(i) == 0) {
            decide(i);
        }
    }

    /** Settles the blocks still waiting for a digest (call once both sides are done). */
    void finish() {
        for (int i = 0; i < waiting.length(); i++) {
            if (waiting.getAndSet(i, 0) > 0) {
                decide(i);
            }
        }
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }

    private void decide(int i) {
        byte[] a = i < source.length ? source[i] : null;
        byte[] b = i < target.length ? target[i] : null;
        if (a != null && Arrays.equals(a, b)) {
            hits.incrementAndGet();
        } else {
            misses.incrementAndGet();
            if (i < source.length) {
                changed.accept(i);
            }
        }
    }
}
