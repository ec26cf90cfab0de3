package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental BLAKE3 (hash, keyed hash and derive-key modes), scalar: chunks are compressed one
 * after another and their chaining values merged on a stack, as in the reference implementation.
 */
public final class Blake3Hasher implements Hasher {
    private final int[] key;
    private final int flags;

    private final int[][] cvStack = new int[54][];
    private int cvStackLen;

    // the chunk being fed
    private final int[] chunkCv = new int[8];
    private long chunkCounter;
    private final byte[] block = new byte[Blake3.BLOCK_LEN];
    private int blockLen;
    private int blocksCompressed;

    private final int[] m = new int[16];
    private final int[] out = new int[16];
    private final byte[] spill = new byte[8192];

    public Blake3Hasher() {
        this(Blake3.IV.clone(), 0);
    }

    private Blake3Hasher(int[] key, int flags) {
        this.key = key;
        this.flags = flags;
        reset();
    }

    /** BLAKE3 keyed with a 32-byte key (a MAC / PRF). */
    public static Blake3Hasher keyed(byte[] key) {
        return new Blake3Hasher(Blake3.keyWords(key), Blake3.KEYED_HASH);
    }

    /** BLAKE3 in derive-key mode: feed the key material, the digest is the derived key. */
    public static Blake3Hasher deriveKey(String context) {
        Blake3Hasher ctx = new Blake3Hasher(Blake3.IV.clone(), Blake3.DERIVE_KEY_CONTEXT);
        byte[] c = context.getBytes(StandardCharsets.UTF_8);
        ctx.update(c, 0, c.length);
        byte[] contextKey = ctx.digest();
        return new Blake3Hasher(Blake3.keyWords(contextKey), Blake3.DERIVE_KEY_MATERIAL);
    }

    @Override
    public void reset() {
        cvStackLen = 0;
        chunkCounter = 0;
        startChunk();
    }

    private void startChunk() {
        System.arraycopy(key, 0, chunkCv, 0, 8);
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
        while (len > 0) {
            if (chunkLen() == Blake3.CHUNK_LEN) {
                finishChunk();
            }
            // a full buffered block is compressed only once more input arrives: the last block of
            // a chunk needs CHUNK_END, which is only known then
            if (blockLen == Blake3.BLOCK_LEN) {
                Blake3.words(block, 0, Blake3.BLOCK_LEN, m);
                Blake3.compress(chunkCv, m, chunkCounter, Blake3.BLOCK_LEN, flags | startFlag(), out);
                System.arraycopy(out, 0, chunkCv, 0, 8);
                blocksCompressed++;
                blockLen = 0;
            }
            // fast path: whole blocks straight from the input, keeping the last one buffered
            while (blockLen == 0 && len > Blake3.BLOCK_LEN && blocksCompressed < 15) {
                Blake3.words(b, off, Blake3.BLOCK_LEN, m);
                Blake3.compress(chunkCv, m, chunkCounter, Blake3.BLOCK_LEN, flags | startFlag(), out);
                System.arraycopy(out, 0, chunkCv, 0, 8);
                blocksCompressed++;
                off += Blake3.BLOCK_LEN;
                len -= Blake3.BLOCK_LEN;
            }
            int take = Math.min(Blake3.BLOCK_LEN - blockLen, len);
            System.arraycopy(b, off, block, blockLen, take);
            blockLen += take;
            off += take;
            len -= take;
        }
    }

    @Override
    public void update(ByteBuffer buf) {
        if (buf.hasArray()) {
            update(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            buf.position(buf.limit());
            return;
        }
        while (buf.hasRemaining()) {
            int n = Math.min(spill.length, buf.remaining());
            buf.get(spill, 0, n);
            update(spill, 0, n);
        }
    }

    private int startFlag() {
        return blocksCompressed == 0 ? Blake3.CHUNK_START : 0;
    }

    /** Closes the full current chunk and merges its chaining value into the stack. */
    private void finishChunk() {
        Blake3.words(block, 0, blockLen, m);
        Blake3.compress(chunkCv, m, chunkCounter, blockLen, flags | startFlag() | Blake3.CHUNK_END, out);
        int[] cv = Arrays.copyOf(out, 8);
        long total = chunkCounter + 1;
        // one merge per trailing zero bit of the chunk count (the completed subtrees)
        while ((total & 1) == 0) {
            cv = parentCv(cvStack[--cvStackLen], cv);
            total >>>= 1;
        }
        cvStack[cvStackLen++] = cv;
        chunkCounter++;
        startChunk();
    }

    private int[] parentCv(int[] left, int[] right) {
        int[] pm = new int[16];
        System.arraycopy(left, 0, pm, 0, 8);
        System.arraycopy(right, 0, pm, 8, 8);
        int[] o = new int[16];
        Blake3.compress(key, pm, 0, Blake3.BLOCK_LEN, flags | Blake3.PARENT, o);
        return Arrays.copyOf(o, 8);
    }

    @Override
    public byte[] digest() {
        byte[] d = digest(Blake3.OUT_LEN);
        reset();
        return d;
    }

    /** Extendable output: the first {@code outLen} bytes of the root output. Does not reset. */
    public byte[] digest(int outLen) {
        // the root node: the current chunk if it is the only one, else the top parent
        int[] inCv = chunkCv.clone();
        int[] rootM = new int[16];
        Blake3.words(block, 0, blockLen, rootM);
        long counter = chunkCounter;
        int len = blockLen;
        int f = flags | startFlag() | Blake3.CHUNK_END;
        for (int i = cvStackLen - 1; i >= 0; i--) {
            int[] o = new int[16];
            Blake3.compress(inCv, rootM, counter, len, f, o);
            int[] pm = new int[16];
            System.arraycopy(cvStack[i], 0, pm, 0, 8);
            System.arraycopy(o, 0, pm, 8, 8);
            inCv = key.clone();
            rootM = pm;
            counter = 0;
            len = Blake3.BLOCK_LEN;
            f = flags | Blake3.PARENT;
        }
        byte[] result = new byte[outLen];
        int[] o = new int[16];
        for (long blockIndex = 0; (int) (blockIndex * 64) < outLen; blockIndex++) {
            Blake3.compress(inCv, rootM, blockIndex, len, f | Blake3.ROOT, o);
            for (int w = 0; w < 16; w++) {
                for (int k = 0; k < 4; k++) {
                    int p = (int) blockIndex * 64 + 4 * w + k;
                    if (p < outLen) {
                        result[p] = (byte) (o[w] >>> (8 * k));
                    }
                }
            }
        }
        return result;
    }
}
