package pyfsjvm.snapshot;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.ErrorBatch;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.ParallelFor;
import pyfsjvm.bridge.ProgressQueue;
import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.Blake3Batch;
import pyfsjvm.hash.FileHasher;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.hash.Hasher;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.Set;

/**
 * Lists the regular files under a root with the shared walker and hashes them in parallel (in
 * inode order, for I/O locality): the work behind both {@code snapshot} and {@code verify}.
 *
 * <p>For {@code verify}, {@code only} names the relative paths the snapshot holds: those are
 * hashed, every other file is still listed (it was added) but not read. A file whose size, mtime
 * or inode changed while it was hashed is reported as an error rather than with a hash that
 * matches neither its old nor its new contents.
 */
public final class SnapshotTask extends Task<byte[][]> {
    /** Stage names by index, as the Python side reports them. */
    public static final String[] STAGES = {"walking", "hashing", "verifying", "done"};

    private static final int BUFFER = 256 * 1024;

    private final WalkSpec spec;
    private final Glob glob;
    private final HashAlgorithm algorithm;
    private final int threads;
    private final Set<ByteBuffer> only;
    private final ProgressQueue progress = new ProgressQueue();
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());

    SnapshotTask(WalkSpec spec, Glob glob, HashAlgorithm algorithm, int threads, byte[] onlyBlob) {
        this.spec = spec;
        this.glob = glob;
        this.algorithm = algorithm;
        this.threads = Math.max(1, threads);
        this.only = onlyBlob == null ? null : split(onlyBlob);
    }

    private static Set<ByteBuffer> split(byte[] blob) {
        Set<ByteBuffer> s = new HashSet<>();
        int start = 0;
        for (int i = 0; i < blob.length; i++) {
            if (blob[i] == 0) {
                s.add(ByteBuffer.wrap(Arrays.copyOfRange(blob, start, i)));
                start = i + 1;
            }
        }
        return s;
    }

    public long[] drainProgress() {
        return progress.drain();
    }

    private void post(int stage, long processed, long total) {
        progress.post(stage, processed, total);
        wake();
    }

    /**
     * Result: {entries, errors}. entries {@code "ssqqiiB"}: relative path, hash hex (empty when not
     * hashed), size, mtime seconds, mtime nanoseconds, st_mode, hashed (1/0; 0 for a file that
     * was not wanted, or failed or changed, which is then in errors); sorted by relative path
     * bytes. errors {@code "ss"}: path, {@code "ERRNO:reason"}.
     */
    @Override
    protected byte[][] compute() throws Exception {
        post(0, 0, 0);
        EntryTable t = EntryTable.collect(spec, EntryTable.FILES, glob, cancel);
        errors.addAll(t.errors());
        int n = t.count();
        int[] rows = new int[n];
        int wanted = 0;
        for (int i = 0; i < n; i++) {
            if (only == null || only.contains(ByteBuffer.wrap(t.relativePath(i)))) {
                rows[wanted++] = i;
            }
        }
        post(only == null ? 1 : 2, 0, only == null ? wanted : only.size());
        // The report's path order is sorted beside the hashing rather than before it: the table
        // is only read by both, and the sort would otherwise keep a core idle. (If the hashing
        // fails, the sort is left to finish on its own: it only reads the table, for milliseconds.)
        Future<int[]> pathOrder = Workers.pool().submit(t::relativePathOrder);
        byte[][] hex = new byte[n][];
        long[][] after = new long[n][];
        hash(t, t.inodeOrder(Arrays.copyOf(rows, wanted)), hex, after);
        int[] order;
        try {
            order = pathOrder.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("sorting the paths failed", e.getCause());
        }
        Columns out = new Columns("ssqqiiB", n);
        int hashed = 0;
        for (int i : order) {
            int r = out.addRow();
            byte[] rel = t.relativePath(i);
            out.putString(0, rel, 0, rel.length);
            byte[] h = hex[i] == null ? NO_HASH : hex[i];
            out.putString(1, h, 0, h.length);
            long[] st = after[i];
            out.setLong(2, r, st == null ? t.size(i) : st[0]);
            out.setLong(3, r, st == null ? t.mtimeSec(i) : st[1]);
            out.setInt(4, r, (int) (st == null ? t.mtimeNsec(i) : st[2]));
            out.setInt(5, r, st == null ? t.mode(i) : (int) st[3]);
            out.setByte(6, r, (byte) (hex[i] != null ? 1 : 0));
            hashed += hex[i] != null ? 1 : 0;
        }
        post(3, hashed, only == null ? wanted : only.size());
        return new byte[][] {out.pack(), ErrorBatch.pack(errors)};
    }

    private static final byte[] NO_HASH = new byte[0];
    /** Rows per work item: the small files among them share the SIMD lanes (Blake3Batch). */
    private static final int GROUP = 32;

    /** Hashes {@code rows} (in that order) into {@code hex[row]}, with the status after reading. */
    private void hash(EntryTable t, int[] rows, byte[][] hex, long[][] after) throws FsException {
        Cancel c = cancel;
        boolean follow = spec.follows();
        int groups = (rows.length + GROUP - 1) / GROUP;
        ParallelFor.run(groups, threads, c, () -> new Worker(algorithm, c), (w, g) -> {
            w.queued = 0;
            for (int k = g * GROUP, end = Math.min(rows.length, k + GROUP); k < end; k++) {
                c.check();
                hashOne(w, t, rows[k], follow, hex, after);
            }
            if (w.queued > 0) {
                byte[][] d = w.batch.digests();
                for (int q = 0; q < w.queued; q++) {
                    hex[w.queuedRows[q]] = HashAlgorithm.hexBytes(d[q]);
                }
            }
        });
    }

    /** Reads and checks row {@code i}; hashes it now, or queues it in the worker's batch. */
    private void hashOne(Worker w, EntryTable t, int i, boolean follow, byte[][] hex, long[][] after) {
        byte[] raw = t.path(i);
        try {
            long size = t.size(i);
            int n = -1; // a small file's length, read into w.small and not hashed yet
            byte[] d = null;
            if (size < BUFFER) {
                // small files (most of a tree): open/pread/fstat/close, no FileChannel, and no
                // second path lookup for the status: the walk saw a regular file here, so the
                // descriptor's status is the one to compare (a replacement changes the ino, a
                // file that grew or shrank its size, so one pread of the walk's size is enough)
                n = Platform.get().readRanges(raw, ZERO, new int[] {(int) size}, w.small, 0, w.stat);
            } else {
                d = w.hasher.hashFile(raw); // direct buffer, native-memory kernel path
                Platform.get().stat(raw, follow, w.stat);
            }
            if ((d == null && n != size) || w.stat.size != t.size(i) || w.stat.mtimeSec != t.mtimeSec(i)
                    || w.stat.mtimeNsec != t.mtimeNsec(i) || w.stat.ino != t.ino(i)) {
                errors.add(FsException.domain("file changed while it was being hashed", raw));
                return;
            }
            after[i] = new long[] {w.stat.size, w.stat.mtimeSec, w.stat.mtimeNsec, w.stat.mode};
            if (d == null && w.batch != null && w.batch.worthQueueing(n)) {
                // queued: its whole chunks will share the SIMD lanes with its neighbours'
                int at = w.batch.reserve(n); // the arena holds a group's worth of such files
                w.batch.arena().put(at, w.small, 0, n);
                w.batch.addReserved(n);
                w.queuedRows[w.queued++] = i;
                return;
            }
            if (d == null) {
                w.digest.update(w.small, 0, n);
                d = w.digest.digest();
            }
            hex[i] = HashAlgorithm.hexBytes(d); // formatted here, in parallel, rather than in the report loop
        } catch (FsException e) {
            errors.add(e);
        }
    }

    private static final long[] ZERO = {0};

    private static final class Worker {
        final FileHasher hasher;
        final Hasher digest;
        final byte[] small = new byte[BUFFER]; // a small file, read at the walk's size (< BUFFER)
        final Stat stat = new Stat();
        // BLAKE3 only: the group's files worth batching, kept in the batch's arena until hashed together
        final Blake3Batch batch;
        final int[] queuedRows = new int[GROUP];
        int queued;

        Worker(HashAlgorithm a, Cancel c) {
            hasher = new FileHasher(a, BUFFER, c);
            digest = a.newHasher();
            batch = a.name().equals("blake3") ? Blake3Batch.withRoomFor(GROUP) : null;
        }
    }
}
