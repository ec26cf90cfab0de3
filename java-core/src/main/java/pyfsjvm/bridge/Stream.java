package pyfsjvm.bridge;

import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * A streaming operation: producers in Java {@link #emit} packed batches into a bounded queue, and
 * Python drains them with {@link #next(long)}. Backpressure is real: a producer blocks while the
 * queue is full, so a slow consumer never makes memory grow. Closing the stream (Python leaves its
 * loop or drops the iterator) cancels the producers, which unwind at their next emit or check.
 */
public abstract class Stream extends Task<Void> {
    /** Returned by {@link #next} once the stream is exhausted; check {@link #result()} then. */
    public static final byte[] END = new byte[0];

    private final MpscAtomicArrayQueue<byte[]> queue;
    private final Object space = new Object();
    private final Object consumer = new Object();
    /**
     * Batch arrays come back here once Python has copied them (its memoryview copies, and it asks
     * for the next batch only after that), so a long stream reuses a handful of arrays instead of
     * allocating megabytes per batch (which G1 treats as humongous, each one costing a marking cycle).
     */
    private final MpscAtomicArrayQueue<byte[]> spare = new MpscAtomicArrayQueue<>(8);
    private byte[] lent;

    protected Stream(int capacity) {
        queue = new MpscAtomicArrayQueue<>(Math.max(2, capacity));
    }

    /** Hands one batch to the consumer, blocking while the queue is full. */
    protected final void emit(byte[] batch) {
        while (!queue.offer(batch)) {
            cancel.check();
            synchronized (space) {
                if (queue.size() >= queue.capacity()) {
                    try {
                        space.wait(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel.cancel();
                    }
                }
            }
        }
        wake();
    }

    /** True when the consumer has nothing queued, i.e. it is probably waiting for us. */
    protected final boolean consumerIdle() {
        return queue.isEmpty();
    }

    /**
     * The next batch, or null if none arrived within {@code millis}, or {@link #END} once the
     * producers have finished and everything was drained. A batch may be longer than its content
     * (recycled arrays; the header says how long it is) and is only valid until the next call.
     */
    public final byte[] next(long millis) throws InterruptedException {
        synchronized (consumer) { // the queue has a single consumer; Python may call from any thread
            return nextLocked(millis);
        }
    }

    private byte[] nextLocked(long millis) throws InterruptedException {
        if (lent != null) {
            spare.offer(lent); // Python copied it before asking again
            lent = null;
        }
        byte[] b = lend(poll());
        if (b != null) {
            return b;
        }
        int state = await(millis);
        b = lend(poll());
        if (b != null) {
            return b;
        }
        return state == DONE || isDone() ? (queue.isEmpty() ? END : lend(poll())) : null;
    }

    private byte[] lend(byte[] b) {
        lent = b;
        return b;
    }

    /** A byte[] of at least {@code size} for the next batch: a returned one if it fits, else new. */
    protected final byte[] borrow(int size) {
        byte[] b;
        while ((b = spare.relaxedPoll()) != null) {
            if (b.length >= size) {
                return b;
            }
        }
        // A quarter to spare, so that this array fits the next batches of about the same size
        // when it comes back (batches of equal rows differ a little in bytes).
        return new byte[size + size / 4];
    }

    private byte[] poll() {
        byte[] b = queue.relaxedPoll();
        if (b != null) {
            synchronized (space) {
                space.notifyAll();
            }
        }
        return b;
    }

    /** Stops the producers; batches not yet taken are dropped. */
    public final void close() {
        cancel();
        synchronized (consumer) {
            queue.clear();
        }
        synchronized (space) {
            space.notifyAll();
        }
    }
}
