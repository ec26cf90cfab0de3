package pyfsjvm.hash;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Stream;
import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;

/**
 * Hashes a list of files on several threads and streams the results to Python as they complete
 * (pyfs-watcher's {@code hash_files}; {@code hash_file} is the one-path case).
 *
 * <p>Batch layout ({@link Columns} "iqss"), one row per file: the file's index in the input list,
 * its size (bytes hashed), the lower-case hex digest ("" on failure) and, on failure, the error
 * as {@code "ERRNO:reason"} ({@code ":message"} for a domain error; "" on success). Rows come in
 * completion order; Python puts them back in input order.
 *
 * <p>Each worker packs its own batches. A batch is flushed when it is full (64 rows at first,
 * doubling up to 4096), when Python is idle and the oldest row has waited 20 ms, and before the
 * worker starts a large file, so a result never waits behind someone else's big file. (At 2 ms a
 * call over 20k small files made ~200 batches, and taking each cost Python ~60 us of CPU, taken
 * from the hashing threads on a small machine; at 20 ms it makes ~30, and callbacks still see
 * results within 20 ms of their hashing.)
 *
 * <p>With BLAKE3 and more than one path, each worker reads files of up to 64 KiB whole and hashes
 * them in groups ({@link Blake3Batch}): their chunks and their trees' parents then share the SIMD
 * lanes instead of going one by one through the scalar kernel. On 20k files of 4-64 KiB this took
 * hash_files from about 0.35 to 0.29 s (medians of warm calls, docs/hash.md).
 */
public final class ParallelHasher extends Stream {
    private static final int FIRST_BATCH = 64;
    private static final int MAX_BATCH = 4096;
    private static final long IDLE_FLUSH_NANOS = 20_000_000L;
    /** A file this large takes long enough that pending rows go out before it is started. */
    private static final long BIG_FILE = 4L << 20;

    private static final byte[] EMPTY = new byte[0];

    private final byte[][] paths;
    private final HashAlgorithm algorithm;
    private final int bufferSize;
    private final int threads;
    private final int fileThreads;
    private final AtomicInteger next = new AtomicInteger();
    private final Object borrowLock = new Object();

    /**
     * @param paths      raw paths
     * @param bufferSize read size per call (at least 1)
     * @param threads    worker threads, 0 for the configured default
     */
    public ParallelHasher(byte[][] paths, HashAlgorithm algorithm, int bufferSize, int threads) {
        super(8);
        this.paths = paths;
        this.algorithm = algorithm;
        this.bufferSize = bufferSize;
        this.threads = Math.max(1, Math.min(Workers.resolve(threads), paths.length));
        this.fileThreads = Workers.resolve(threads);
    }

    /** Splits NUL-terminated raw paths ({@code a\0b\0}) as Python sends them in one array. */
    public static byte[][] splitPaths(byte[] blob) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < blob.length; i++) {
            if (blob[i] == 0) {
                out.add(java.util.Arrays.copyOfRange(blob, start, i));
                start = i + 1;
            }
        }
        if (start < blob.length) {
            out.add(java.util.Arrays.copyOfRange(blob, start, blob.length));
        }
        return out.toArray(new byte[0][]);
    }

    @Override
    protected Void compute() throws Exception {
        if (threads == 1) {
            work();
            return null;
        }
        List<Future<?>> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            helpers.add(Workers.pool().submit(() -> {
                work();
                return null;
            }));
        }
        Throwable failure = null;
        try {
            work();
        } catch (Throwable e) {
            failure = e;
            cancel.cancel();
        }
        // wait for every helper, even after a failure: no thread may still run once we are done
        List<Throwable> causes = new ArrayList<>();
        Workers.awaitAll(helpers, cancel::cancel, cause -> {
            causes.add(cause);
            cancel.cancel();
        });
        if (failure == null && !causes.isEmpty()) {
            failure = causes.get(0);
        }
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return null;
    }

    private void work() {
        FileHasher fh = new FileHasher(algorithm, bufferSize, cancel);
        Columns out = new Columns("iqss", FIRST_BATCH);
        int target = FIRST_BATCH;
        long oldest = 0;
        byte[] hex = new byte[2 * algorithm.digestLength()];
        Small small = algorithm.name().equals("blake3") && paths.length > 1 ? new Small() : null;
        int i;
        while ((i = next.getAndIncrement()) < paths.length) {
            cancel.check();
            if (pending(out, small) > 0 && consumerIdle() && System.nanoTime() - oldest >= IDLE_FLUSH_NANOS) {
                if (small != null) {
                    small.finish(out, hex);
                }
                flush(out);
            }
            boolean wasEmpty = pending(out, small) == 0;
            try {
                byte[] d = hash(fh, paths[i], i, out, small, hex);
                if (d != null) {
                    addDigest(out, i, d, fh.lastSize(), hex);
                }
            } catch (FsException e) {
                int r = out.addRow();
                out.putString(2, EMPTY, 0, 0);
                byte[] text = ((e.errno() == null ? "" : e.errno()) + ":" + e.reason())
                        .getBytes(StandardCharsets.UTF_8);
                out.putString(3, text, 0, text.length);
                out.setLong(1, r, -1);
                out.setInt(0, r, i);
            }
            if (wasEmpty) {
                oldest = System.nanoTime();
            }
            if (out.rows() >= target) {
                flush(out);
                target = Math.min(MAX_BATCH, target * 2);
            }
        }
        if (small != null) {
            small.finish(out, hex);
        }
        if (out.rows() > 0) {
            flush(out);
        }
    }

    /** Results not yet sent: rows in {@code out} and files queued in {@code small}. */
    private static int pending(Columns out, Small small) {
        return out.rows() + (small == null ? 0 : small.count);
    }

    /** A row for file {@code i}: its hex digest and size. */
    private static void addDigest(Columns out, int i, byte[] digest, long size, byte[] hex) {
        int r = out.addRow();
        HashAlgorithm.toHex(digest, hex);
        out.putString(2, hex, 0, hex.length);
        out.putString(3, EMPTY, 0, 0);
        out.setLong(1, r, size);
        out.setInt(0, r, i);
    }

    /**
     * Hashes file {@code i}, or queues it in {@code small} when it is small enough (then null: its
     * row comes when the queue is hashed). Flushes {@code out} first when the file is big (its rows
     * would wait). A lone file (hash_file) gets every thread: BLAKE3 then hashes its subtrees in
     * parallel.
     */
    private byte[] hash(FileHasher fh, byte[] raw, int i, Columns out, Small small, byte[] hex) throws FsException {
        if (small != null) {
            Stat st = small.stat;
            Platform.get().stat(raw, true, st);
            FileHasher.checkRegular(st, raw); // before any open: a FIFO would block it
            if (st.size <= SMALL_MAX) {
                small.queue(raw, (int) st.size, i, out, hex);
                return null;
            }
        }
        try (FileChannel ch = FileHasher.openRegular(raw)) {
            long size = ch.size();
            if (size >= BIG_FILE) { // what is done so far goes out first, queued files included
                if (small != null) {
                    small.finish(out, hex);
                }
                if (out.rows() > 0) {
                    flush(out);
                }
            }
            return fh.hashOpen(ch, size, raw, paths.length == 1 ? fileThreads : 1);
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
    }

    /** Files up to this size are read whole and hashed in a {@link Blake3Batch}. */
    private static final int SMALL_MAX = 64 * 1024;
    /** Queued at most per worker: files, and bytes (16 such files; ~30 of the usual few KiB). */
    private static final int SMALL_FILES = 64;
    private static final int SMALL_ARENA = 16 * SMALL_MAX;

    /**
     * Each thread's arena for its small files: a direct buffer, so that the platform layer preads
     * into it and the lanes read the chunks from it with no copy in between. Per thread and kept:
     * a direct buffer per call would be freed only by the GC (and enough of them make the JDK
     * call System.gc()); a thread runs one {@link #work()} at a time, so one is enough.
     */
    private static final ThreadLocal<java.nio.ByteBuffer> SMALL_ARENAS = ThreadLocal.withInitial(
            () -> java.nio.ByteBuffer.allocateDirect(Blake3Batch.arenaCapacity(SMALL_ARENA)));

    /**
     * One worker's queue of small BLAKE3 files: read whole into the batch's arena, then hashed
     * together so that their chunks and their trees' parents share the SIMD lanes.
     */
    private final class Small {
        final Blake3Batch batch = new Blake3Batch(SMALL_ARENAS.get());
        final int[] index = new int[SMALL_FILES];
        final int[] size = new int[SMALL_FILES];
        final Stat stat = new Stat();
        int count;

        /**
         * Reads file {@code i} ({@code n} bytes by the stat just taken) and queues it. The
         * platform layer's open/pread/close (FFM: no FileChannel, no size call, no copy) is what
         * makes a file of a few KiB cheap; the digest covers those {@code n} bytes, and a file
         * that has shrunk meanwhile is an error.
         */
        void queue(byte[] raw, int n, int i, Columns out, byte[] hex) throws FsException {
            int at = count == SMALL_FILES ? -1 : batch.reserve(n);
            if (at < 0) {
                finish(out, hex);
                at = batch.reserve(n); // an empty arena holds any file up to SMALL_MAX
            }
            if (Platform.get().read(raw, batch.arena(), at, n) < n) {
                throw FsException.domain("file shrank while being hashed", raw);
            }
            batch.addReserved(n);
            index[count] = i;
            size[count] = n;
            count++;
        }

        /** Hashes the queued files and adds their rows to {@code out}. */
        void finish(Columns out, byte[] hex) {
            if (count == 0) {
                return;
            }
            byte[][] d = batch.digests();
            for (int k = 0; k < count; k++) {
                addDigest(out, index[k], d[k], size[k], hex);
            }
            count = 0;
        }
    }

    private void flush(Columns out) {
        byte[] batch;
        synchronized (borrowLock) { // the spare-array queue has a single consumer: us, serialised
            batch = out.pack(this::borrow);
        }
        emit(batch);
    }
}
