package pyfsjvm.copy;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.Task;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The common part of a copy or move task: progress counters Python polls between wait slices
 * (pyfs_jvm/_copy.py turns them into throttled {@code CopyProgress} callbacks on the caller's
 * thread), and the result, the destination paths packed as one {@link Columns} string column.
 */
public abstract class Transfer extends Task<byte[]> {
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger filesDone = new AtomicInteger();
    volatile long totalBytes;
    volatile int totalFiles;
    volatile boolean planned;
    /** The engine running now, for the current file's name. */
    volatile CopyEngine engine;

    /** {bytes copied, files completed, total bytes, total files, planned (0/1)}. */
    public final long[] progress() {
        return new long[] {bytes.get(), filesDone.get(), totalBytes, totalFiles, planned ? 1 : 0};
    }

    /** {source, destination} of the file being copied now, or null. */
    public final byte[][] current() {
        CopyEngine e = engine;
        if (e == null) {
            return null;
        }
        int i = e.current;
        return i < 0 ? null : new byte[][] {e.plan.src[i], e.plan.dst[i]};
    }

    static byte[] pack(java.util.List<byte[]> paths) {
        Columns c = new Columns("s", paths.size());
        for (byte[] p : paths) {
            c.addRow();
            c.putString(0, p, 0, p.length);
        }
        return c.pack();
    }
}
