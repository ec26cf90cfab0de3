package pyfsjvm.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Workers;

/**
 * Tree-parallel BLAKE3 of one file: the file is cut into segments of {@link #SEGMENT} bytes (a
 * power of two, so each whole segment is a subtree of BLAKE3's tree), worker threads read and
 * hash segments independently (each its own positional reads, buffer and hasher), and the
 * segments' chaining values are merged in order by one hasher that then takes the last,
 * possibly partial, segment and produces the root. The digest is exactly the sequential one.
 *
 * <p>Reads: the segments of files of {@link #MIN_MAPPED} bytes and more are mapped where the JVM can
 * unmap promptly ({@link MappedFile}, JDK 22+), one or {@link #WINDOW} at a time by the worker that
 * hashes them, and the kernel's lanes stream through the mapping ({@link Blake3Hasher#subtreeCv}).
 * (One shared mapping of the whole file measured the same as one per segment; these are confined to
 * one thread, unmapping needs no handshake with the others, and the 30 ms per GiB that unmapping
 * takes is spread over the workers.) Everything else, and the last piece, is read with positional
 * {@link FileChannel} reads into a per-thread direct buffer. A mapping spares the copy out of the
 * page cache, which at 6.5 GB/s here cost a 4 GB/s kernel a third of its speed. A file truncated
 * while mapped faults (SIGBUS, raised by the JVM as an {@link InternalError}); that is caught and
 * reported as the file's error, as a short read is. {@code -Dpyfsjvm.hash.read=direct|heap} selects
 * the read alternatives measured against it (docs/hash.md).
 */
final class Blake3FileTree {
    private Blake3FileTree() {}

    /** Segment size: big enough to fill every SIMD lane many times, small enough to balance. */
    static final int SEGMENT = 2 << 20;

    /** Files below this are hashed on one thread: starting helpers costs more than it saves. */
    static final long MIN_PARALLEL = 8L << 20;

    /** Files mapped rather than read (where mapping is available), the smallest worth its set-up. */
    static final long MIN_MAPPED = 8L << 20;

    /**
     * Segments a worker maps, hashes and unmaps at a time when other workers run: each unmapping
     * interrupts the CPUs running the process's other threads to flush their TLBs, 512 times per GiB
     * with one segment at a time. Two workers on a 1 GiB file (means of alternating runs): 1 segment
     * 4.9-5.3 GB/s, 4 segments 5.1-5.6, 8 and 16 in between. A single worker maps one segment at a
     * time: 16 MiB windows were about 10 % slower there (the unmapping finds the pages' metadata cold).
     */
    static final int WINDOW = 4;

    enum Read { DIRECT, HEAP, MMAP }

    static final Read READ = readStrategy();

    private static Read readStrategy() {
        String s = System.getProperty("pyfsjvm.hash.read", "mmap");
        return s.equals("heap") ? Read.HEAP : s.equals("direct") ? Read.DIRECT : Read.MMAP;
    }

    private static final ThreadLocal<ByteBuffer> DIRECT = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(SEGMENT).order(ByteOrder.LITTLE_ENDIAN));
    private static final ThreadLocal<ByteBuffer> HEAP = ThreadLocal.withInitial(
            () -> ByteBuffer.allocate(SEGMENT).order(ByteOrder.LITTLE_ENDIAN));

    /** A reusable read buffer of {@link #SEGMENT} bytes for this thread. */
    static ByteBuffer buffer() {
        return (READ == Read.HEAP ? HEAP : DIRECT).get();
    }

    /**
     * The BLAKE3 digest of the first {@code size} bytes of {@code ch}, on up to {@code threads}
     * threads (the caller's included). A file shorter than {@code size} is an error.
     */
    static byte[] hash(FileChannel ch, long size, int threads, Cancel cancel, byte[] raw) throws IOException {
        long segments = size <= SEGMENT ? 0 : (size - 1) / SEGMENT; // whole segments before the last piece
        int[] cvs = new int[Math.toIntExact(8 * segments)];
        boolean mapped = READ == Read.MMAP && size >= MIN_MAPPED && MappedFile.available();
        hashSegments(ch, mapped, segments, cvs, threads, cancel, raw);
        Blake3Hasher root = new Blake3Hasher();
        long chunks = SEGMENT / Blake3.CHUNK_LEN;
        int[] cv = new int[8];
        for (long i = 0; i < segments; i++) {
            System.arraycopy(cvs, (int) (8 * i), cv, 0, 8);
            root.pushSubtree(cv, i * chunks, chunks);
        }
        long tailOff = segments * SEGMENT;
        int tail = (int) (size - tailOff);
        ByteBuffer buf = buffer();
        readFully(ch, buf, tailOff, tail, raw);
        root.update(buf, 0, tail);
        return root.digest();
    }

    /**
     * The CVs of the whole segments into {@code cvs}, on up to {@code threads} threads, each segment
     * mapped (if {@code mapped}) or read. Returns once no helper runs any more, whatever happened.
     */
    static void hashSegments(FileChannel ch, boolean mapped, long segments, int[] cvs, int threads,
                             Cancel cancel, byte[] raw) throws IOException {
        AtomicLong next = new AtomicLong();
        Cancel stop = new Cancel(); // this file's workers only: a failure here must not cancel the operation
        int helpers = (int) Math.min(Math.max(0, threads - 1), Math.max(0, segments - 1));
        List<Future<?>> running = new ArrayList<>();
        Throwable failure = null;
        try {
            for (int t = 0; t < helpers; t++) {
                running.add(Workers.pool().submit(() -> {
                    segments(ch, mapped, segments, next, cvs, cancel, stop, raw, true);
                    return null;
                }));
            }
            segments(ch, mapped, segments, next, cvs, cancel, stop, raw, helpers > 0);
        } catch (Throwable e) {
            failure = e;
        }
        List<Throwable> causes = new ArrayList<>();
        Workers.awaitAll(running, stop::cancel, causes::add); // no helper may outlive this call
        for (Throwable c : causes) {
            if (failure == null || failure instanceof Cancel.CancelledException
                    && !(c instanceof Cancel.CancelledException)) {
                failure = c; // the real cause, not a helper stopped because of it
            }
        }
        cancel.check(); // the whole operation was cancelled: that, not a by-product, is the outcome
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private static void segments(FileChannel ch, boolean mapped, long segments, AtomicLong next, int[] cvs,
                                 Cancel cancel, Cancel stop, byte[] raw, boolean parallel) throws IOException {
        try {
            segmentsLoop(ch, mapped, segments, next, cvs, cancel, stop, raw, parallel);
        } catch (InternalError e) { // SIGBUS delivered after mappedCv returned (see there)
            stop.cancel();
            throw faultOrShrank(e, ch, segments * SEGMENT, raw);
        } catch (Throwable e) {
            stop.cancel();
            throw e;
        }
    }

    private static void segmentsLoop(FileChannel ch, boolean mapped, long segments, AtomicLong next, int[] cvs,
                                     Cancel cancel, Cancel stop, byte[] raw, boolean parallel) throws IOException {
        Blake3Hasher h = new Blake3Hasher();
        int[] cv = new int[8];
        long chunks = SEGMENT / Blake3.CHUNK_LEN;
        int step = mapped && parallel ? WINDOW : 1; // parallel: other workers run
        long first;
        while ((first = next.getAndAdd(step)) < segments) {
            long end = Math.min(segments, first + step);
            MappedFile map = mapped ? MappedFile.map(ch, first * SEGMENT, (end - first) * SEGMENT) : null;
            if (map != null) {
                try (map) { // unmapped by the worker that hashed it, in parallel with the others
                    ByteBuffer window = map.buffer();
                    for (long i = first; i < end; i++) {
                        cancel.check();
                        stop.check();
                        mappedCv(ch, h, window, (int) ((i - first) * SEGMENT), i, cv, raw);
                        System.arraycopy(cv, 0, cvs, (int) (8 * i), 8);
                    }
                }
                continue;
            }
            for (long i = first; i < end; i++) { // read (null: this part could not be mapped)
                cancel.check();
                stop.check();
                ByteBuffer buf = buffer();
                readFully(ch, buf, i * SEGMENT, SEGMENT, raw);
                h.subtreeCv(buf, 0, SEGMENT, i * chunks, cv);
                System.arraycopy(cv, 0, cvs, (int) (8 * i), 8);
            }
        }
    }

    /**
     * The CV of segment {@code i}, mapped at {@code window[at..]}. A page lost to truncation faults
     * (SIGBUS), which the JVM raises here as an {@link InternalError}: the file's error if the file
     * is now shorter, otherwise not ours to rename. (In compiled code the error is delivered at the
     * next safepoint poll, which may fall after this returns, so {@link #segments} catches it too.)
     */
    static void mappedCv(FileChannel ch, Blake3Hasher h, ByteBuffer window, int at, long i, int[] cv, byte[] raw)
            throws IOException {
        try {
            h.subtreeCv(window, at, SEGMENT, i * (SEGMENT / Blake3.CHUNK_LEN), cv);
        } catch (InternalError e) {
            throw faultOrShrank(e, ch, (i + 1) * SEGMENT, raw);
        }
    }

    /** "file shrank" if {@code ch} is now shorter than {@code needed} bytes, else {@code e} itself. */
    private static InternalError faultOrShrank(InternalError e, FileChannel ch, long needed, byte[] raw)
            throws IOException {
        if (ch.size() < needed) {
            throw shrank(raw);
        }
        return e;
    }

    private static FsException shrank(byte[] raw) {
        return FsException.domain("file shrank while being hashed", raw);
    }

    /** Reads exactly {@code len} bytes at {@code pos} into {@code buf[0, len)}. */
    static void readFully(FileChannel ch, ByteBuffer buf, long pos, int len, byte[] raw) throws IOException {
        buf.clear().limit(len);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw shrank(raw);
            }
        }
        buf.flip();
    }
}
