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
 * chunk counter, all but each message's last chunk (it may be the root, and it is often
 * partial). Then the messages' trees are merged level by level, the pairs of every tree at that
 * level sharing the lanes too; only each root is compressed alone.
 *
 * <p>The plain (unkeyed) hash only. The queued bytes are read in place, not copied, so they must
 * stay untouched until {@link #digests()}; a batch made with an arena hands out room in it for
 * the caller to read or copy messages into ({@link #reserve}). Not thread-safe: one batch per
 * thread.
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

    private final byte[] arena;
    private int arenaUsed;

    // Trees: each multi-chunk message's current level, level[k] nodes from tree[8 * start[k]].
    private int[] tree = new int[8 * 64];
    private int[] next = new int[8 * 64];
    private int[] pairs = new int[16 * 32];
    private int[] merged = new int[8 * 32];
    private int[] start = new int[32];
    private int[] level = new int[32];
    private int[] byBlocks = new int[32];
    private final int[] lastLen;
    private final int[] blocks;
    private final int[] lastCvs;

    /** A batch with an arena of {@code arenaBytes} to read or copy messages into ({@link #reserve}). */
    public Blake3Batch(int arenaBytes) {
        this(Blake3Kernel.get(), arenaBytes);
    }

    /** A batch whose arena holds {@code messages} messages {@link #worthQueueing} (each under the lanes' width). */
    public static Blake3Batch withRoomFor(int messages) {
        Blake3Kernel kernel = Blake3Kernel.get();
        return new Blake3Batch(kernel, messages * Math.max(1, kernel.degree()) * Blake3.CHUNK_LEN);
    }

    Blake3Batch(Blake3Kernel kernel) {
        this(kernel, 0);
    }

    private Blake3Batch(Blake3Kernel kernel, int arenaBytes) {
        this.arena = new byte[arenaBytes];
        this.kernel = kernel;
        this.tail = Blake3Hasher.withKernel(kernel);
        this.lanes = kernel.degree();
        this.staging = ByteBuffer.allocate(lanes * Blake3.CHUNK_LEN).order(ByteOrder.LITTLE_ENDIAN);
        this.counters = new long[lanes];
        this.lastLen = new int[lanes];
        this.blocks = new int[lanes];
        this.lastCvs = new int[8 * lanes];
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

    /**
     * Room for a message of {@code len} bytes in this batch's arena: its offset in {@link #arena()},
     * or -1 when the arena is full (take the {@link #digests()} first, which empties it). The
     * caller fills the room and queues it with {@link #add}.
     */
    public int reserve(int len) {
        if (arenaUsed + len > arena.length) {
            return -1;
        }
        int at = arenaUsed;
        arenaUsed += len;
        return at;
    }

    /** Gives back the last {@link #reserve}d room (its message could not be read). */
    public void unreserve(int len) {
        arenaUsed -= len;
    }

    /** The arena {@link #reserve} hands out room in. */
    public byte[] arena() {
        return arena;
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
        // then the trees: a one-chunk message is its own root; the others merge level by level,
        // every message's pairs of a level through the lanes together
        byte[][] out = new byte[count][];
        job = 0;
        int nodes = 0;
        ensureTree(jobs + count);
        for (int k = 0; k < count; k++) {
            int n = whole(lens[k]);
            if (n == 0) {
                tail.reset();
                tail.update(arrays[k], offs[k], lens[k]);
                out[k] = tail.digest();
                level[k] = 0;
                continue;
            }
            start[k] = nodes;
            level[k] = n + 1; // its chunks' CVs, then its last chunk's (lastChunks, below)
            System.arraycopy(cvs, 8 * job, tree, 8 * nodes, 8 * n);
            job += n;
            nodes += n + 1;
        }
        lastChunks();
        while (mergeLevel()) {
            // each pass halves every tree still above two nodes
        }
        for (int k = 0; k < count; k++) {
            if (level[k] == 2) {
                out[k] = root(tree, 8 * start[k]);
            }
            arrays[k] = null;
        }
        count = 0;
        arenaUsed = 0;
        return out;
    }

    private void ensureTree(int nodes) {
        if (tree.length < 8 * nodes) {
            tree = new int[8 * nodes];
            next = new int[8 * nodes];
            pairs = new int[8 * nodes];
            merged = new int[4 * nodes];
        }
        if (start.length < count) {
            start = new int[arrays.length];
            level = new int[arrays.length];
        }
    }

    /**
     * One level up for every tree still above two nodes (pairs left to right, an odd last node
     * goes up as it is: BLAKE3's left-filled tree); false when every tree is down to its root's
     * two children. The pairs of all trees are hashed in one call, so they fill the lanes.
     */
    private boolean mergeLevel() {
        int p = 0;
        for (int k = 0; k < count; k++) {
            for (int j = 0; level[k] > 2 && j < level[k] / 2; j++) {
                System.arraycopy(tree, 8 * (start[k] + 2 * j), pairs, 16 * p++, 16);
            }
        }
        if (p == 0) {
            return false;
        }
        kernel.hashParents(pairs, 0, p, Blake3.IV, 0, merged, 0);
        int t = 0;
        int q = 0;
        for (int k = 0; k < count; k++) {
            int c = level[k];
            if (c == 0) {
                continue;
            }
            int s = start[k];
            start[k] = t;
            if (c > 2) {
                System.arraycopy(merged, 8 * q, next, 8 * t, 8 * (c / 2));
                q += c / 2;
                t += c / 2;
                if (c % 2 == 1) {
                    System.arraycopy(tree, 8 * (s + c - 1), next, 8 * t++, 8);
                }
                level[k] = (c + 1) / 2;
            } else {
                System.arraycopy(tree, 8 * s, next, 8 * t, 8 * c);
                t += c;
            }
        }
        int[] swap = tree;
        tree = next;
        next = swap;
        return true;
    }

    /** The digest of the root: the parent of the two CVs at {@code t[off]}. */
    private static byte[] root(int[] t, int off) {
        int[] cv = Blake3.IV.clone();
        Blake3Kernel.compress(cv, t, off, 0, Blake3.BLOCK_LEN, Blake3.PARENT | Blake3.ROOT, null);
        byte[] d = new byte[Blake3.OUT_LEN];
        for (int w = 0; w < 8; w++) {
            for (int b = 0; b < 4; b++) {
                d[4 * w + b] = (byte) (cv[w] >>> (8 * b));
            }
        }
        return d;
    }

    /**
     * The CV of every multi-chunk message's last chunk, into its tree after its whole chunks'.
     * These chunks share the lanes too, each lane with its own block count and last-block length
     * ({@link Blake3Kernel#hashLastChunks}); sorted by block count first, so that a group runs
     * few blocks past its shortest chunks.
     */
    private void lastChunks() {
        if (byBlocks.length < count) {
            byBlocks = new int[arrays.length];
        }
        int[] first = new int[18]; // counting sort by block count: first[b] = where blocks == b starts
        for (int k = 0; k < count; k++) {
            if (whole(lens[k]) > 0) {
                first[blocksOfLast(k) + 1]++;
            }
        }
        for (int b = 1; b < first.length; b++) {
            first[b] += first[b - 1];
        }
        int total = first[17];
        int[] next = Arrays.copyOf(first, first.length);
        for (int k = 0; k < count; k++) {
            if (whole(lens[k]) > 0) {
                byBlocks[next[blocksOfLast(k)]++] = k;
            }
        }
        byte[] lanesBuf = staging.array();
        for (int g = 0; g < total; g += lanes) {
            int n = Math.min(lanes, total - g);
            for (int l = 0; l < n; l++) {
                int k = byBlocks[g + l];
                int done = whole(lens[k]) * Blake3.CHUNK_LEN;
                int rem = lens[k] - done;
                int at = l * Blake3.CHUNK_LEN;
                blocks[l] = blocksOfLast(k);
                System.arraycopy(arrays[k], offs[k] + done, lanesBuf, at, rem);
                Arrays.fill(lanesBuf, at + rem, at + blocks[l] * Blake3.BLOCK_LEN, (byte) 0);
                counters[l] = whole(lens[k]);
                lastLen[l] = rem - (blocks[l] - 1) * Blake3.BLOCK_LEN;
            }
            kernel.hashLastChunks(staging, counters, blocks, lastLen, n, Blake3.IV, lastCvs, 0);
            for (int l = 0; l < n; l++) {
                int k = byBlocks[g + l];
                System.arraycopy(lastCvs, 8 * l, tree, 8 * (start[k] + whole(lens[k])), 8);
            }
        }
    }

    /** Blocks in message k's last chunk (1-16). */
    private int blocksOfLast(int k) {
        int rem = lens[k] - whole(lens[k]) * Blake3.CHUNK_LEN;
        return (rem + Blake3.BLOCK_LEN - 1) / Blake3.BLOCK_LEN;
    }

    /** Whole chunks before the last one (which may be the root, or partial). */
    private static int whole(int len) {
        return len > Blake3.CHUNK_LEN ? (len - 1) / Blake3.CHUNK_LEN : 0;
    }
}
