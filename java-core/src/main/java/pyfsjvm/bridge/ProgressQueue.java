package pyfsjvm.bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * Progress events of one task, queued by Java and drained by the waiting Python thread, which
 * then calls the user's callback on its own thread (docs/bridge.md). An event is
 * {@code (stage, processed, total)}; the stage is an index into names the Python side knows.
 */
public final class ProgressQueue {
    private final List<long[]> events = new ArrayList<>();

    public synchronized void post(int stage, long processed, long total) {
        events.add(new long[] {stage, processed, total});
    }

    /** Every event queued since the last drain, flattened: stage, processed, total, stage, ... */
    public synchronized long[] drain() {
        long[] out = new long[events.size() * 3];
        for (int i = 0; i < events.size(); i++) {
            System.arraycopy(events.get(i), 0, out, 3 * i, 3);
        }
        events.clear();
        return out;
    }
}
