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
 * partial). The last chunks then share the lanes too, and the messages' trees are merged level
 * by level, the pairs of every tree at that level sharing the lanes; only each root is
 * compressed alone.
 *
 * <p>Messages come two ways. Read or copied into the batch's arena ({@link #reserve}, then
 * {@link #addReserved}): the arena keeps the queued messages' whole chunks back to back and
 * moves each last chunk aside, so the lanes read the chunks where they lie, with no copy (hash_files
 * preads its small files straight into a direct arena). Or {@link #add}ed by reference, read in
 * place at {@link #digests()} and so to be left untouched until then; their chunks are copied
 * into the lanes. The plain (unkeyed) hash only. Not thread-safe: one batch per thread.
 */
public final class Blake3Batch {
    private final Blake3Kernel kernel;
    private final Blake3Hasher tail;
    private final int lanes;
    private final ByteBuffer staging;
    private final long[] counters;
    private int[] cvs = new int[8 * 256];

    // Queued messages: added by reference (arrays[k][offs[k]..]), or from the arena (arrays[k] ==
    // null): whole chunks from arena chunk chunkAt[k] on, the last chunk's bytes in tails at offs[k].
    private byte[][] arrays = new byte[32][];
    private int[] offs = new int[32];
    private int[] lens = new int[32];
    private int[] chunkAt = new int[32];
    private int[] cvAt = new int[32];
    private int count;

    private final ByteBuffer arena;    // little-endian; `lanes` chunks of slack past its room
    private final int room;            // bytes messages may occupy
    private int chunksUsed;            // arena chunk c lies at 1024*c
    private long[] chunkCounter;       // arena chunk c's counter: its index in its message
    private byte[] tails = new byte[4096];
    private int tailsUsed;

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

    /** A batch with a heap arena with room for {@code arenaBytes} of messages ({@link #reserve}). */
    public Blake3Batch(int arenaBytes) {
        this(Blake3Kernel.get(), heapArena(arenaBytes));
    }

    /**
     * A batch whose arena is {@code arena} (a direct buffer to read files into, say), made with
     * {@link #arenaCapacity}; the caller must not use it for anything else while the batch lives.
     */
    public Blake3Batch(ByteBuffer arena) {
        this(Blake3Kernel.get(), arena);
    }

    /** A batch whose arena holds {@code messages} messages {@link #worthQueueing} (each under the lanes' width). */
    public static Blake3Batch withRoomFor(int messages) {
        return new Blake3Batch(messages * Math.max(1, Blake3Kernel.get().degree()) * Blake3.CHUNK_LEN);
    }

    /** The capacity an arena needs for {@code bytes} of messages: the lanes read a whole group past the last chunk. */
    public static int arenaCapacity(int bytes) {
        return bytes + Math.max(1, Blake3Kernel.get().degree()) * Blake3.CHUNK_LEN;
    }

    private static ByteBuffer heapArena(int bytes) {
        return ByteBuffer.allocate(arenaCapacity(bytes));
    }

    Blake3Batch(Blake3Kernel kernel) {
        this(kernel, ByteBuffer.allocate(Math.max(1, kernel.degree()) * Blake3.CHUNK_LEN));
    }

    Blake3Batch(Blake3Kernel kernel, ByteBuffer arena) {
        this.kernel = kernel;
        this.tail = Blake3Hasher.withKernel(kernel);
        this.lanes = kernel.degree();
        this.arena = arena.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        this.room = arena.capacity() - Math.max(1, lanes) * Blake3.CHUNK_LEN;
        if (room < 0) {
            throw new IllegalArgumentException("arena smaller than arenaCapacity(0): " + arena.capacity());
        }
        this.chunkCounter = new long[room / Blake3.CHUNK_LEN];
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
     * Where in {@link #arena()} to put the next message of {@code len} bytes, or -1 when it does
     * not fit (take the {@link #digests()} first, which empties the arena). The caller writes it
     * there and queues it with {@link #addReserved}; until then the room is not taken.
     */
    public int reserve(int len) {
        int at = Blake3.CHUNK_LEN * chunksUsed;
        return at + len <= room ? at : -1;
    }

    /** The arena (absolute indices; its position and limit mean nothing). */
    public ByteBuffer arena() {
        return arena;
    }

    /** Queues the {@code len} bytes just written at the last {@link #reserve}'s offset. */
    public void addReserved(int len) {
        int at = Blake3.CHUNK_LEN * chunksUsed;
        java.util.Objects.checkFromIndexSize(at, len, room);
        int w = whole(len);
        int rem = len - w * Blake3.CHUNK_LEN;
        if (tailsUsed + rem > tails.length) {
            tails = Arrays.copyOf(tails, Math.max(tailsUsed + rem, 2 * tails.length));
        }
        arena.get(at + w * Blake3.CHUNK_LEN, tails, tailsUsed, rem); // the next message goes over it
        for (int c = 0; c < w; c++) {
            chunkCounter[chunksUsed + c] = c;
        }
        queue(null, tailsUsed, len, chunksUsed);
        chunksUsed += w;
        tailsUsed += rem;
    }

    /** Messages queued since the last {@link #digests()}. */
    public int size() {
        return count;
    }

    /** Queues {@code buf[off, off+len)} (kept by reference until {@link #digests()}). */
    public void add(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        queue(buf, off, len, -1);
    }

    private void queue(byte[] buf, int off, int len, int firstChunk) {
        if (count == arrays.length) {
            arrays = Arrays.copyOf(arrays, 2 * count);
            offs = Arrays.copyOf(offs, 2 * count);
            lens = Arrays.copyOf(lens, 2 * count);
            chunkAt = Arrays.copyOf(chunkAt, 2 * count);
            cvAt = Arrays.copyOf(cvAt, 2 * count);
        }
        arrays[count] = buf;
        offs[count] = off;
        lens[count] = len;
        chunkAt[count] = firstChunk;
        count++;
    }

    /** The 32-byte digests of the queued messages, in the order they were added; empties the batch. */
    public byte[][] digests() {
        // whole chunks but each message's last: the arena's in place, the others' through staging
        int jobs = chunksUsed;
        for (int k = 0; k < count; k++) {
            if (arrays[k] == null) {
                cvAt[k] = chunkAt[k];
            } else {
                cvAt[k] = jobs;
                jobs += whole(lens[k]);
            }
        }
        if (cvs.length < 8 * jobs) {
            cvs = new int[8 * Math.max(jobs, 2 * cvs.length / 8)];
        }
        for (int g = 0; g < chunksUsed; g += lanes) {
            int n = Math.min(lanes, chunksUsed - g);
            System.arraycopy(chunkCounter, g, counters, 0, n);
            kernel.hashChunksAt(arena, Blake3.CHUNK_LEN * g, counters, n, Blake3.IV, 0, cvs, 8 * g);
        }
        int job = chunksUsed;
        int lane = 0;
        for (int k = 0; k < count; k++) {
            for (int c = 0, n = arrays[k] == null ? 0 : whole(lens[k]); c < n; c++) {
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
        int nodes = 0;
        ensureTree(jobs + count);
        for (int k = 0; k < count; k++) {
            int n = whole(lens[k]);
            if (n == 0) {
                tail.reset();
                tail.update(tailArray(k), offs[k], lens[k]);
                out[k] = tail.digest();
                level[k] = 0;
                continue;
            }
            start[k] = nodes;
            level[k] = n + 1; // its chunks' CVs, then its last chunk's (lastChunks, below)
            System.arraycopy(cvs, 8 * cvAt[k], tree, 8 * nodes, 8 * n);
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
        chunksUsed = 0;
        tailsUsed = 0;
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
                System.arraycopy(tailArray(k), offs[k] + (arrays[k] == null ? 0 : done), lanesBuf, at, rem);
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

    /** Where message k's last chunk is: {@code tails} for an arena message (from offs[k]), else its own array. */
    private byte[] tailArray(int k) {
        return arrays[k] == null ? tails : arrays[k];
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
