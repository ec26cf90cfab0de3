package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * BLAKE3 digests of many short messages at once.
 *
 * <p>A file of a few KiB has too few whole chunks to fill the SIMD lanes by itself (16 with
 * AVX-512), so on its own its chunks go one by one through the scalar kernel, about six times
 * slower. Here the whole chunks of all queued messages share the lanes, each lane with its own
 * chunk counter; then each message's tree is finished from its chunks' chaining values and its
 * last chunk, which never shares a lane (it may be the root, and it is often partial).
 *
 * <p>The plain (unkeyed) hash only. The queued bytes are read in place, not copied, so they must
 * stay untouched until {@link #digests()}. Not thread-safe: one batch per thread.
 */
public final class Blake3Batch {
    private final Blake3Kernel kernel;
    private final Blake3Hasher tail;
    private final int lanes;
    private final ByteBuffer staging;
    private final long[] counters;
    private int[] cvs = new int[8 * 256];

    private byte[][] arrays = new byte[32][];
    private int[] offs = new int[32];
    private int[] lens = new int[32];
    private int count;

    public Blake3Batch() {
        this(Blake3Kernel.get());
    }

    Blake3Batch(Blake3Kernel kernel) {
        this.kernel = kernel;
        this.tail = Blake3Hasher.withKernel(kernel);
        this.lanes = kernel.degree();
        this.staging = ByteBuffer.allocate(lanes * Blake3.CHUNK_LEN).order(ByteOrder.LITTLE_ENDIAN);
        this.counters = new long[lanes];
    }

    /**
     * The longest message worth queueing: a longer one fills the lanes by itself. 0 when the
     * kernel has no lanes to share (scalar), and a batch would only add copying.
     */
    public int worthwhileBelow() {
        return lanes > 1 ? lanes * Blake3.CHUNK_LEN : 0;
    }

    /**
     * Whether a message of {@code len} bytes gains from a batch: it has a whole chunk before its
     * last one, and too few to fill the lanes by itself.
     */
    public boolean worthQueueing(int len) {
        return len > Blake3.CHUNK_LEN && len < worthwhileBelow();
    }

    /** Messages queued since the last {@link #digests()}. */
    public int size() {
        return count;
    }

    /** Queues {@code buf[off, off+len)} (kept by reference until {@link #digests()}). */
    public void add(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (count == arrays.length) {
            arrays = Arrays.copyOf(arrays, 2 * count);
            offs = Arrays.copyOf(offs, 2 * count);
            lens = Arrays.copyOf(lens, 2 * count);
        }
        arrays[count] = buf;
        offs[count] = off;
        lens[count] = len;
        count++;
    }

    /** The 32-byte digests of the queued messages, in the order they were added; empties the batch. */
    public byte[][] digests() {
        int jobs = 0;
        for (int k = 0; k < count; k++) {
            jobs += whole(lens[k]);
        }
        if (cvs.length < 8 * jobs) {
            cvs = new int[8 * Math.max(jobs, 2 * cvs.length / 8)];
        }
        // every whole chunk but each message's last, through the lanes in the order queued
        int job = 0;
        int lane = 0;
        for (int k = 0; k < count; k++) {
            for (int c = 0, n = whole(lens[k]); c < n; c++) {
                staging.put(lane * Blake3.CHUNK_LEN, arrays[k], offs[k] + c * Blake3.CHUNK_LEN, Blake3.CHUNK_LEN);
                counters[lane++] = c;
                job++;
                if (lane == lanes) {
                    kernel.hashChunksAt(staging, 0, counters, lanes, Blake3.IV, 0, cvs, 8 * (job - lanes));
                    lane = 0;
                }
            }
        }
        if (lane > 0) {
            kernel.hashChunksAt(staging, 0, counters, lane, Blake3.IV, 0, cvs, 8 * (job - lane));
        }
        // then each message's tree: its chunks' CVs, its last chunk, the merges up to the root
        byte[][] out = new byte[count][];
        job = 0;
        for (int k = 0; k < count; k++) {
            tail.reset();
            int n = whole(lens[k]);
            for (int c = 0; c < n; c++) {
                tail.pushChunkCv(cvs, 8 * job++, c);
            }
            int done = n * Blake3.CHUNK_LEN;
            tail.update(arrays[k], offs[k] + done, lens[k] - done);
            out[k] = tail.digest();
            arrays[k] = null;
        }
        count = 0;
        return out;
    }

    /** Whole chunks before the last one (which may be the root, or partial). */
    private static int whole(int len) {
        return len > Blake3.CHUNK_LEN ? (len - 1) / Blake3.CHUNK_LEN : 0;
    }
}
