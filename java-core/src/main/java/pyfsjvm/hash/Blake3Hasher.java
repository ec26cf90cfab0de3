package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental BLAKE3 (hash, keyed hash and derive-key modes, extendable output).
 *
 * <p>The tree follows the reference implementation's: a large {@code update} is cut into the
 * largest power-of-two subtrees aligned with the chunks already hashed; each subtree's chunks are
 * compressed {@link Blake3Kernel#degree()} at a time (one per SIMD lane) and its parents a level
 * at a time, and the resulting chaining values are merged lazily on a stack (a CV is merged only
 * once more input proves it is not the root's child). Feed large buffers (a power of two, e.g.
 * 1 MiB) to keep the lanes full; small pieces go through the one-chunk path.
 *
 * <p>For tree-parallel hashing, {@link #subtreeCv} hashes one aligned subtree on its own (any
 * thread, its own hasher) and {@link #pushSubtree} adds its chaining value to a hasher that then
 * takes the rest of the input.
 */
public final class Blake3Hasher implements Hasher {
    private static final int MAX_DEPTH = 64;

    private final int[] key;
    private final int flags;
    private final Blake3Kernel kernel;

    private final int[] cvStack = new int[MAX_DEPTH * 8];
    private int cvStackLen;

    // the chunk being fed, one block at a time
    private final int[] chunkCv = new int[8];
    private long chunkCounter;
    private final byte[] block = new byte[Blake3.BLOCK_LEN];
    private final ByteBuffer blockBuf = ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    private int blockLen;
    private int blocksCompressed;

    // scratch
    private final int[] words = new int[16];
    private final int[] cvTmp = new int[8];
    private final int[] mergeCv = new int[8];
    private final int[] pair = new int[16];
    private final int[][] levels = new int[MAX_DEPTH][];
    private final int levelInts;
    private int[] runCvs; // subtreeCv's CVs (one per lane's run, or per chunk), kept for the next subtree
    private final byte[] partial = new byte[Blake3.BLOCK_LEN];
    private byte[] wrappedArray;
    private ByteBuffer wrapped;

    public Blake3Hasher() {
        this(Blake3.IV.clone(), 0, Blake3Kernel.get());
    }

    private Blake3Hasher(int[] key, int flags, Blake3Kernel kernel) {
        this.key = key;
        this.flags = flags;
        this.kernel = kernel;
        this.levelInts = 2 * Math.max(2, kernel.degree()) * 8;
        reset();
    }

    /** A hasher on a given kernel whatever the CPU offers (tests, benchmarks). */
    static Blake3Hasher withKernel(Blake3Kernel kernel) {
        return new Blake3Hasher(Blake3.IV.clone(), 0, kernel);
    }

    /** BLAKE3 keyed with a 32-byte key (a MAC / PRF). */
    public static Blake3Hasher keyed(byte[] key) {
        return keyed(key, Blake3Kernel.get());
    }

    static Blake3Hasher keyed(byte[] key, Blake3Kernel kernel) {
        return new Blake3Hasher(Blake3.keyWords(key), Blake3.KEYED_HASH, kernel);
    }

    /** BLAKE3 in derive-key mode: feed the key material, the digest is the derived key. */
    public static Blake3Hasher deriveKey(String context) {
        return deriveKey(context, Blake3Kernel.get());
    }

    static Blake3Hasher deriveKey(String context, Blake3Kernel kernel) {
        Blake3Hasher ctx = new Blake3Hasher(Blake3.IV.clone(), Blake3.DERIVE_KEY_CONTEXT, kernel);
        byte[] c = context.getBytes(StandardCharsets.UTF_8);
        ctx.update(c, 0, c.length);
        byte[] contextKey = ctx.digest();
        return new Blake3Hasher(Blake3.keyWords(contextKey), Blake3.DERIVE_KEY_MATERIAL, kernel);
    }

    /** The kernel in use ("scalar", "vector-512", ...). */
    public static String kernelName() {
        return Blake3Kernel.describe();
    }

    @Override
    public void reset() {
        cvStackLen = 0;
        startChunk(0);
    }

    private void startChunk(long counter) {
        System.arraycopy(key, 0, chunkCv, 0, 8);
        chunkCounter = counter;
        blockLen = 0;
        blocksCompressed = 0;
    }

    @Override
    public int digestLength() {
        return Blake3.OUT_LEN;
    }

    private int chunkLen() {
        return Blake3.BLOCK_LEN * blocksCompressed + blockLen;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (b != wrappedArray) {
            wrapped = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            wrappedArray = b;
        }
        update(wrapped, off, len);
    }

    @Override
    public void update(ByteBuffer buf) {
        update(buf, buf.position(), buf.remaining());
        buf.position(buf.limit());
    }

    /** Feeds {@code len} bytes of {@code src} from absolute index {@code off} (position untouched). */
    public void update(ByteBuffer src, int off, int len) {
        src = Blake3Kernel.le(src);
        if (chunkLen() > 0) {
            int take = Math.min(Blake3.CHUNK_LEN - chunkLen(), len);
            chunkUpdate(src, off, take);
            off += take;
            len -= take;
            if (len == 0) {
                return;
            }
            chunkCv(cvTmp);
            pushCv(cvTmp, 0, chunkCounter);
            startChunk(chunkCounter + 1);
        }
        // whole subtrees while more than one chunk is left (the last chunk may be the root)
        while (len > Blake3.CHUNK_LEN) {
            long subLen = Long.highestOneBit(len);
            long soFar = chunkCounter * Blake3.CHUNK_LEN;
            while (((subLen - 1) & soFar) != 0) {
                subLen >>>= 1;
            }
            long subChunks = subLen / Blake3.CHUNK_LEN;
            if (subLen <= Blake3.CHUNK_LEN) {
                chunkUpdate(src, off, Blake3.CHUNK_LEN);
                chunkCv(cvTmp);
                pushCv(cvTmp, 0, chunkCounter);
                startChunk(chunkCounter + 1);
            } else {
                subtreePair(src, off, (int) subLen, chunkCounter, pair);
                pushCv(pair, 0, chunkCounter);
                pushCv(pair, 8, chunkCounter + subChunks / 2);
                startChunk(chunkCounter + subChunks);
            }
            off += (int) subLen;
            len -= (int) subLen;
        }
        if (len > 0) {
            chunkUpdate(src, off, len);
            mergeCvStack(chunkCounter);
        }
    }

    // ------------------------------------------------------------------ tree-parallel support

    /**
     * The (non-root) chaining value of the subtree of {@code len} bytes at {@code src[off]} whose
     * first chunk has number {@code counter}. {@code len} must be a power of two of at least two
     * chunks and {@code counter} a multiple of {@code len / 1024}, i.e. a subtree of the whole
     * input's tree, which must be longer than {@code len}. Does not touch this hasher's state.
     */
    public void subtreeCv(ByteBuffer src, int off, int len, long counter, int[] out) {
        if (len < 2 * Blake3.CHUNK_LEN || Integer.bitCount(len) != 1 || counter % (len / Blake3.CHUNK_LEN) != 0) {
            throw new IllegalArgumentException("not an aligned power-of-two subtree: " + len + " at chunk " + counter);
        }
        int n = len / Blake3.CHUNK_LEN;
        if (runCvs == null || runCvs.length < 8 * n) {
            runCvs = new int[8 * n];
        }
        // each lane on its own run of chunks (a subtree's input is usually a mapped file: streaming
        // lanes keep ahead of DRAM), merged to one CV per run; then the parents level by level
        n = kernel.hashRuns(Blake3Kernel.le(src), off, n, key, counter, flags, runCvs, 0);
        while (n > 2) {
            n = parents(runCvs, n, runCvs, 0);
        }
        System.arraycopy(key, 0, out, 0, 8);
        Blake3Kernel.compress(out, runCvs, 0, 0, Blake3.BLOCK_LEN, flags | Blake3.PARENT, null);
    }

    /**
     * Adds the chaining value of a subtree of {@code chunks} chunks (a power of two) starting at
     * chunk {@code counter}, computed with {@link #subtreeCv}. The hasher must be exactly at
     * {@code counter} (nothing partial buffered); afterwards it continues after the subtree.
     */
    public void pushSubtree(int[] cv, long counter, long chunks) {
        if (chunkLen() != 0 || counter != chunkCounter) {
            throw new IllegalStateException("hasher is not at chunk " + counter);
        }
        pushCv(cv, 0, counter);
        startChunk(counter + chunks);
    }

    // ------------------------------------------------------------------ the chunk being fed

    private void chunkUpdate(ByteBuffer src, int off, int len) {
        while (len > 0) {
            if (blockLen == Blake3.BLOCK_LEN) {
                Blake3Kernel.compress(chunkCv, blockBuf, 0, chunkCounter, flags | startFlag());
                blocksCompressed++;
                blockLen = 0;
            }
            // whole blocks straight from the input, keeping the last one buffered: the last block
            // of a chunk needs CHUNK_END, which is only known once more input arrives
            while (blockLen == 0 && len > Blake3.BLOCK_LEN) {
                Blake3Kernel.compress(chunkCv, src, off, chunkCounter, flags | startFlag());
                blocksCompressed++;
                off += Blake3.BLOCK_LEN;
                len -= Blake3.BLOCK_LEN;
            }
            int take = Math.min(Blake3.BLOCK_LEN - blockLen, len);
            src.get(off, block, blockLen, take);
            blockLen += take;
            off += take;
            len -= take;
        }
    }

    private int startFlag() {
        return blocksCompressed == 0 ? Blake3.CHUNK_START : 0;
    }

    /** The current chunk's chaining value (as a non-root node) into {@code out}. */
    private void chunkCv(int[] out) {
        blockWords(block, blockLen, words);
        System.arraycopy(chunkCv, 0, out, 0, 8);
        Blake3Kernel.compress(out, words, 0, chunkCounter, blockLen, flags | startFlag() | Blake3.CHUNK_END, null);
    }

    private static void blockWords(byte[] b, int len, int[] m) {
        blockWords(b, 0, len, m);
    }

    /** The 16 little-endian words of the block {@code b[off, off+len)} ({@code len <= 64}), zero-padded. */
    static void blockWords(byte[] b, int off, int len, int[] m) {
        Arrays.fill(m, 0);
        for (int i = 0; i < len; i++) {
            m[i >>> 2] |= (b[off + i] & 0xFF) << (8 * (i & 3));
        }
    }

    // ------------------------------------------------------------------ the CV stack

    private void mergeCvStack(long totalChunks) {
        int post = Long.bitCount(totalChunks);
        while (cvStackLen > post) {
            int top = (cvStackLen - 2) * 8;
            // the two top CVs are adjacent: they are the parent block's 16 words
            System.arraycopy(key, 0, mergeCv, 0, 8);
            Blake3Kernel.compress(mergeCv, cvStack, top, 0, Blake3.BLOCK_LEN, flags | Blake3.PARENT, null);
            System.arraycopy(mergeCv, 0, cvStack, top, 8);
            cvStackLen--;
        }
    }

    private void pushCv(int[] cv, int cvOff, long counter) {
        mergeCvStack(counter);
        System.arraycopy(cv, cvOff, cvStack, cvStackLen * 8, 8);
        cvStackLen++;
    }

    // ------------------------------------------------------------------ whole subtrees

    /** The two children's CVs of the subtree of {@code len} (> 1 chunk) bytes at {@code off}. */
    private void subtreePair(ByteBuffer src, int off, int len, long counter, int[] out) {
        int[] cvs = level(0);
        int n = subtreeWide(src, off, len, counter, cvs, 0, 1);
        while (n > 2) {
            n = parents(cvs, n, cvs, 0);
        }
        System.arraycopy(cvs, 0, out, 0, 16);
    }

    /**
     * Compresses a subtree as far as the kernel's width allows: returns how many CVs it wrote to
     * {@code out} (at most {@code max(2, degree)}); the caller reduces them further.
     */
    private int subtreeWide(ByteBuffer src, int off, int len, long counter, int[] out, int outOff, int depth) {
        if (len <= kernel.degree() * Blake3.CHUNK_LEN) {
            return chunks(src, off, len, counter, out, outOff);
        }
        int leftLen = leftLen(len);
        int[] cvs = level(depth);
        int leftN = subtreeWide(src, off, leftLen, counter, cvs, 0, depth + 1);
        int rightN = subtreeWide(src, off + leftLen, len - leftLen, counter + leftLen / Blake3.CHUNK_LEN, cvs,
                8 * leftN, depth + 1);
        if (leftN == 1) { // degree 1: the two children are this subtree's pair
            System.arraycopy(cvs, 0, out, outOff, 16);
            return 2;
        }
        return parents(cvs, leftN + rightN, out, outOff);
    }

    /** CVs of the whole chunks, plus one for a partial last chunk. */
    private int chunks(ByteBuffer src, int off, int len, long counter, int[] out, int outOff) {
        int n = len / Blake3.CHUNK_LEN;
        kernel.hashChunks(src, off, n, key, counter, flags, out, outOff);
        int rest = len - n * Blake3.CHUNK_LEN;
        if (rest > 0) {
            partialChunkCv(src, off + n * Blake3.CHUNK_LEN, rest, counter + n, out, outOff + 8 * n);
            n++;
        }
        return n;
    }

    private void partialChunkCv(ByteBuffer src, int off, int len, long counter, int[] out, int outOff) {
        int[] cv = new int[8];
        System.arraycopy(key, 0, cv, 0, 8);
        int b = 0;
        while (len > Blake3.BLOCK_LEN) {
            Blake3Kernel.compress(cv, src, off, counter, flags | (b == 0 ? Blake3.CHUNK_START : 0));
            off += Blake3.BLOCK_LEN;
            len -= Blake3.BLOCK_LEN;
            b++;
        }
        src.get(off, partial, 0, len);
        int[] m = new int[16];
        blockWords(partial, len, m);
        Blake3Kernel.compress(cv, m, 0, counter, len, flags | (b == 0 ? Blake3.CHUNK_START : 0) | Blake3.CHUNK_END,
                null);
        System.arraycopy(cv, 0, out, outOff, 8);
    }

    /** One level of parents over {@code n} CVs (an odd last one passes through). */
    private int parents(int[] cvs, int n, int[] out, int outOff) {
        int pairs = n / 2;
        kernel.hashParents(cvs, 0, pairs, key, flags, out, outOff);
        if ((n & 1) != 0) {
            System.arraycopy(cvs, 16 * pairs, out, outOff + 8 * pairs, 8);
        }
        return pairs + (n & 1);
    }

    private int[] level(int depth) {
        int[] a = levels[depth];
        if (a == null) {
            a = new int[levelInts];
            levels[depth] = a;
        }
        return a;
    }

    /** Bytes in the left subtree of {@code len} (> 1 chunk): the largest power-of-two chunks < all. */
    private static int leftLen(int len) {
        int fullChunks = (len - 1) / Blake3.CHUNK_LEN;
        return Integer.highestOneBit(fullChunks) * Blake3.CHUNK_LEN;
    }

    // ------------------------------------------------------------------ output

    @Override
    public byte[] digest() {
        byte[] d = digest(Blake3.OUT_LEN);
        reset();
        return d;
    }

    /** Extendable output: the first {@code outLen} bytes of the root output. Does not reset. */
    public byte[] digest(int outLen) {
        // the root node as (input CV, block words, counter, block length, flags)
        int[] inCv;
        int[] m = new int[16];
        long counter;
        int len;
        int f;
        int remaining = cvStackLen;
        if (cvStackLen == 0 || chunkLen() > 0) {
            inCv = chunkCv.clone();
            blockWords(block, blockLen, m);
            counter = chunkCounter;
            len = blockLen;
            f = flags | startFlag() | Blake3.CHUNK_END;
        } else { // input ended on a subtree boundary: the root is the parent of the top two CVs
            remaining -= 2;
            System.arraycopy(cvStack, remaining * 8, m, 0, 16);
            inCv = key.clone();
            counter = 0;
            len = Blake3.BLOCK_LEN;
            f = flags | Blake3.PARENT;
        }
        while (remaining > 0) {
            remaining--;
            int[] childCv = inCv.clone();
            Blake3Kernel.compress(childCv, m, 0, counter, len, f, null);
            System.arraycopy(cvStack, remaining * 8, m, 0, 8);
            System.arraycopy(childCv, 0, m, 8, 8);
            inCv = key.clone();
            counter = 0;
            len = Blake3.BLOCK_LEN;
            f = flags | Blake3.PARENT;
        }
        byte[] result = new byte[outLen];
        int[] o = new int[16];
        for (long blockIndex = 0; blockIndex * 64 < outLen; blockIndex++) {
            int[] cv = inCv.clone();
            Blake3Kernel.compress(cv, m, 0, blockIndex, len, f | Blake3.ROOT, o);
            for (int w = 0; w < 16; w++) {
                for (int k = 0; k < 4; k++) {
                    long p = blockIndex * 64 + 4 * w + k;
                    if (p < outLen) {
                        result[(int) p] = (byte) (o[w] >>> (8 * k));
                    }
                }
            }
        }
        return result;
    }
}
