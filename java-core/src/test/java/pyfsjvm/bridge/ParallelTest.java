package pyfsjvm.bridge;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {
    @Test
    void everyItemOnce() {
        AtomicIntegerArray seen = new AtomicIntegerArray(1000);
        Parallel.forEach(1000, 4, new Cancel(), seen::incrementAndGet);
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void firstFailureIsRethrown() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.forEach(100, 3, new Cancel(), i -> {
                    if (i == 17) {
                        throw new IllegalStateException("item 17");
                    }
                }));
        assertEquals("item 17", e.getMessage());
    }

    @Test
    void cancelledLoopStops() {
        Cancel c = new Cancel();
        c.cancel();
        assertThrows(Cancel.CancelledException.class, () -> Parallel.forEach(10, 2, c, i -> {}));
    }
}
