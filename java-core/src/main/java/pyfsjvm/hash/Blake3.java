package pyfsjvm.hash;

/**
 * The BLAKE3 compression function and constants (scalar), from the BLAKE3 specification. Words
 * are little-endian 32-bit; a chunk is 1024 bytes made of 16 blocks of 64 bytes.
 */
final class Blake3 {
    static final int OUT_LEN = 32;
    static final int KEY_LEN = 32;
    static final int BLOCK_LEN = 64;
    static final int CHUNK_LEN = 1024;

    static final int CHUNK_START = 1;
    static final int CHUNK_END = 1 << 1;
    static final int PARENT = 1 << 2;
    static final int ROOT = 1 << 3;
    static final int KEYED_HASH = 1 << 4;
    static final int DERIVE_KEY_CONTEXT = 1 << 5;
    static final int DERIVE_KEY_MATERIAL = 1 << 6;

    static final int[] IV = {
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
    };

    /** Message word order of each of the 7 rounds (the permutation applied round after round). */
    private static final int[][] SCHEDULE = new int[7][16];

    static {
        int[] perm = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
        int[] order = new int[16];
        for (int i = 0; i < 16; i++) {
            order[i] = i;
        }
        for (int r = 0; r < 7; r++) {
            SCHEDULE[r] = order.clone();
            int[] next = new int[16];
            for (int i = 0; i < 16; i++) {
                next[i] = order[perm[i]];
            }
            order = next;
        }
    }

    private Blake3() {
    }

    /**
     * Compresses one block into {@code out} (16 words): the full output state, of which the first
     * 8 words are the new chaining value.
     */
    static void compress(int[] cv, int[] m, long counter, int blockLen, int flags, int[] out) {
        int s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3], s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7];
        int s8 = IV[0], s9 = IV[1], s10 = IV[2], s11 = IV[3];
        int s12 = (int) counter, s13 = (int) (counter >>> 32), s14 = blockLen, s15 = flags;
        for (int r = 0; r < 7; r++) {
            int[] o = SCHEDULE[r];
            // columns
            s0 += s4 + m[o[0]]; s12 = Integer.rotateRight(s12 ^ s0, 16); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 12);
            s0 += s4 + m[o[1]]; s12 = Integer.rotateRight(s12 ^ s0, 8); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 7);
            s1 += s5 + m[o[2]]; s13 = Integer.rotateRight(s13 ^ s1, 16); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 12);
            s1 += s5 + m[o[3]]; s13 = Integer.rotateRight(s13 ^ s1, 8); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 7);
            s2 += s6 + m[o[4]]; s14 = Integer.rotateRight(s14 ^ s2, 16); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 12);
            s2 += s6 + m[o[5]]; s14 = Integer.rotateRight(s14 ^ s2, 8); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 7);
            s3 += s7 + m[o[6]]; s15 = Integer.rotateRight(s15 ^ s3, 16); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 12);
            s3 += s7 + m[o[7]]; s15 = Integer.rotateRight(s15 ^ s3, 8); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 7);
            // diagonals
            s0 += s5 + m[o[8]]; s15 = Integer.rotateRight(s15 ^ s0, 16); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 12);
            s0 += s5 + m[o[9]]; s15 = Integer.rotateRight(s15 ^ s0, 8); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 7);
            s1 += s6 + m[o[10]]; s12 = Integer.rotateRight(s12 ^ s1, 16); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 12);
            s1 += s6 + m[o[11]]; s12 = Integer.rotateRight(s12 ^ s1, 8); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 7);
            s2 += s7 + m[o[12]]; s13 = Integer.rotateRight(s13 ^ s2, 16); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 12);
            s2 += s7 + m[o[13]]; s13 = Integer.rotateRight(s13 ^ s2, 8); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 7);
            s3 += s4 + m[o[14]]; s14 = Integer.rotateRight(s14 ^ s3, 16); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 12);
            s3 += s4 + m[o[15]]; s14 = Integer.rotateRight(s14 ^ s3, 8); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 7);
        }
        out[0] = s0 ^ s8; out[1] = s1 ^ s9; out[2] = s2 ^ s10; out[3] = s3 ^ s11;
        out[4] = s4 ^ s12; out[5] = s5 ^ s13; out[6] = s6 ^ s14; out[7] = s7 ^ s15;
        out[8] = s8 ^ cv[0]; out[9] = s9 ^ cv[1]; out[10] = s10 ^ cv[2]; out[11] = s11 ^ cv[3];
        out[12] = s12 ^ cv[4]; out[13] = s13 ^ cv[5]; out[14] = s14 ^ cv[6]; out[15] = s15 ^ cv[7];
    }

    /** Reads 16 little-endian words of a 64-byte block (zero-padded past {@code len}). */
    static void words(byte[] b, int off, int len, int[] m) {
        if (len == BLOCK_LEN) {
            for (int i = 0; i < 16; i++) {
                int p = off + 4 * i;
                m[i] = (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
            }
            return;
        }
        java.util.Arrays.fill(m, 0);
        for (int i = 0; i < len; i++) {
            m[i >>> 2] |= (b[off + i] & 0xFF) << (8 * (i & 3));
        }
    }

    static int[] keyWords(byte[] key) {
        if (key.length != KEY_LEN) {
            throw new IllegalArgumentException("BLAKE3 key must be 32 bytes, got " + key.length);
        }
        int[] k = new int[16];
        words(key, 0, KEY_LEN, k);
        return java.util.Arrays.copyOf(k, 8);
    }
}
