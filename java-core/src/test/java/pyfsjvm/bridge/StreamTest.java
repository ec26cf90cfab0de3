package pyfsjvm.bridge;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamTest {
    /** Emits 1..n one-byte batches as fast as the queue allows. */
    static final class Counting extends Stream {
        final int n;
        final AtomicInteger emitted = new AtomicInteger();
        volatile Thread producer;

        Counting(int n) {
            super(2);
            this.n = n;
        }

        @Override
        protected Void compute() {
            producer = Thread.currentThread();
            for (int i = 1; i <= n; i++) {
                emit(new byte[] {(byte) i});
                emitted.incrementAndGet();
            }
            return null;
        }
    }

    @Test
    void deliversEverythingInOrderThenEnd() throws Exception {
        Counting s = new Counting(50);
        s.start();
        for (int i = 1; i <= 50; i++) {
            byte[] b;
            do {
                b = s.next(1000);
            } while (b == null);
            assertArrayEquals(new byte[] {(byte) i}, b);
        }
        assertSame(Stream.END, s.next(1000));
        s.result();
    }

    @Test
    void backpressureBoundsTheProducer() throws Exception {
        Counting s = new Counting(1000);
        s.start();
        // The queue holds 2 batches: the producer fills it and then blocks in emit().
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((s.producer == null || s.producer.getState() != Thread.State.TIMED_WAITING)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, s.producer.getState());
        assertEquals(2, s.emitted.get());
        s.close();
        while (s.await(5000) != Task.DONE) {
            Thread.onSpinWait();
        }
        assertThrows(Cancel.CancelledException.class, s::result);
    }

    @Test
    void timeoutGivesNull() throws Exception {
        Stream idle = new Stream(2) {
            @Override
            protected Void compute() throws InterruptedException {
                while (!cancel.isCancelled()) {
                    Thread.sleep(5);
                }
                return null;
            }
        };
        idle.start();
        assertNull(idle.next(20));
        idle.close();
        while (idle.await(5000) != Task.DONE) {
            Thread.onSpinWait();
        }
    }
}
