package pyfsjvm.bridge;

import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Java-side log records on their way to Python's {@code logging}. Any thread may log; the Python
 * side drains the queue between wait slices and after each call (pyfs_jvm/_bridge.py), and
 * re-emits each record on logger {@code pyfs_jvm.<name>}. The queue is bounded so that a flood of
 * warnings cannot eat memory; what does not fit is counted and reported as one record.
 *
 * <p>Never put a file name into a message as a String: names are raw bytes (DESIGN.md). Records
 * about a path carry the path bytes separately and Python decodes them.
 */
public final class Log {
    private Log() {}

    public static final int DEBUG = 10;
    public static final int INFO = 20;
    public static final int WARNING = 30;
    public static final int ERROR = 40;

    /** One record. {@code path} may be null; Python appends it to the message, decoded. */
    public record Record(int level, String logger, String message, byte[] path) {}

    private static final MpmcAtomicArrayQueue<Record> QUEUE = new MpmcAtomicArrayQueue<>(4096);
    private static final AtomicLong DROPPED = new AtomicLong();
    private static volatile int threshold = DEBUG;

    /** Set from Python to the effective level of the {@code pyfs_jvm} logger, to skip work. */
    public static void setThreshold(int level) {
        threshold = level;
    }

    public static boolean enabled(int level) {
        return level >= threshold;
    }

    public static void log(int level, String logger, String message, byte[] path) {
        if (level < threshold) {
            return;
        }
        if (!QUEUE.offer(new Record(level, logger, message, path))) {
            DROPPED.incrementAndGet();
        }
    }

    public static void debug(String logger, String message) {
        log(DEBUG, logger, message, null);
    }

    public static void warning(String logger, String message, byte[] path) {
        log(WARNING, logger, message, path);
    }

    public static boolean pending() {
        return !QUEUE.isEmpty() || DROPPED.get() > 0;
    }

    /** Everything queued so far (called by Python). */
    public static Record[] drain() {
        List<Record> out = new ArrayList<>();
        QUEUE.drain(out::add);
        long dropped = DROPPED.getAndSet(0);
        if (dropped > 0) {
            out.add(new Record(WARNING, "bridge", dropped + " log records were dropped (queue full)", null));
        }
        return out.toArray(new Record[0]);
    }
}
