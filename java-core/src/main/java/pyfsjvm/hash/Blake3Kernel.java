package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The BLAKE3 compression kernels: whole 1 KiB chunks to chaining values ({@link #hashChunks}) and
 * parent nodes to chaining values ({@link #hashParents}), many at a time. The tree around them is
 * {@link Blake3Hasher}'s.
 *
 * <p>Two implementations: this scalar one (any JVM), and {@code Blake3VectorKernel}, which hashes
 * one chunk per SIMD lane through the Vector API. {@link #get()} picks one per JVM, the way
 * Lucene's VectorizationProvider does: the vector kernel only if {@code jdk.incubator.vector} is
 * readable and the CPU's preferred species has at least 8 int lanes; system property
 * {@code pyfsjvm.blake3=scalar|vector} overrides. The vector class is loaded by name only, so this
 * class runs where the incubator module is absent.
 *
 * <p>Code shape matters more than usual here (blake3-java-notes): the 7 rounds are a loop whose
 * message permutation reassigns 16 local variables; the words of a block are read into locals once.
 */
abstract class Blake3Kernel {
    /**
     * The little-endian view of {@code src} with the same indices; kernels read words with
     * {@link ByteBuffer#getInt(int)} from such views. (A VarHandle view is as fast once compiled,
     * but so slow in the interpreter that hashing a few hundred small files took seconds before
     * the JIT caught up.)
     */
    static ByteBuffer le(ByteBuffer src) {
        return src.order() == ByteOrder.LITTLE_ENDIAN ? src : src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Chunks worth hashing at once (the SIMD lanes; 1 for scalar). */
    abstract int degree();

    /** "scalar" or e.g. "vector-512". */
    abstract String name();

    /**
     * The chaining values of {@code n} whole chunks at {@code src[off + 1024*i]} (absolute indices;
     * {@code src} in little-endian order, see {@link #le}) with chunk counters {@code counter + i}, into {@code out[outOff + 8*i]}.
     */
    abstract void hashChunks(ByteBuffer src, int off, int n, int[] key, long counter, int flags,
                             int[] out, int outOff);

    /**
     * The {@code n} whole chunks at {@code src[off..]} (numbered from {@code counter}; {@code n} a
     * power of two) as the CVs of consecutive equal subtrees that cover them, in order, into
     * {@code out[outOff..]}; returns how many. Here one per chunk, as {@link #hashChunks}. The vector
     * kernel gives each lane its own run of consecutive chunks ({@code min(n / degree(),
     * runChunks())} of them; the lanes' runs are adjacent, and the next {@code degree()} runs follow)
     * and merges each run to its subtree's CV in the lanes, so it returns {@code n / run}: from
     * memory not yet in cache (a mapped file) every lane then streams forward, which the hardware
     * prefetcher follows (see {@code Blake3SegmentKernel}), and the parents need no gathering.
     */
    int hashRuns(ByteBuffer src, int off, int n, int[] key, long counter, int flags, int[] out, int outOff) {
        hashChunks(src, off, n, key, counter, flags, out, outOff);
        return n;
    }

    /** The longest run of chunks one lane takes in {@link #hashRuns} (1: no runs, a CV per chunk). */
    int runChunks() {
        return 1;
    }

    /**
     * The chaining values of the {@code n} (at most {@link #degree()}) whole chunks at
     * {@code src[off + 1024*i]}, each with its own chunk counter {@code counters[i]}: chunks of
     * different messages sharing the lanes ({@link Blake3Batch}). {@code src} must hold
     * {@code degree()} chunks from {@code off} (the lanes past {@code n} are hashed and dropped).
     */
    void hashChunksAt(ByteBuffer src, int off, long[] counters, int n, int[] key, int flags, int[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            hashChunks(src, off + Blake3.CHUNK_LEN * i, 1, key, counters[i], flags, out, outOff + 8 * i);
        }
    }

    /**
     * The chaining values of {@code n} (at most {@link #degree()}) last chunks of messages longer
     * than one chunk (so not roots): chunk {@code i} at {@code src[1024*i..]} has {@code blocks[i]}
     * blocks (1-16), the last one {@code lastLen[i]} bytes (1-64) and zero-padded, and is numbered
     * {@code counters[i]}; its CV goes to {@code out[outOff + 8*i]}. {@code src} (little-endian)
     * must hold {@code degree()} chunks (the lanes past {@code n} are hashed and dropped). Batching
     * these matters for files of a few KiB: one block-by-block scalar chunk each was ~7 % of
     * {@code hash_files} over 20k small files.
     */
    void hashLastChunks(ByteBuffer src, long[] counters, int[] blocks, int[] lastLen, int n, int[] key,
                        int[] out, int outOff) {
        int[] cv = new int[8];
        int[] m = new int[16];
        for (int i = 0; i < n; i++) {
            System.arraycopy(key, 0, cv, 0, 8);
            for (int b = 0; b < blocks[i]; b++) {
                int p = Blake3.CHUNK_LEN * i + Blake3.BLOCK_LEN * b;
                for (int w = 0; w < 16; w++) {
                    m[w] = src.getInt(p + 4 * w);
                }
                boolean last = b == blocks[i] - 1;
                int flags = (b == 0 ? Blake3.CHUNK_START : 0) | (last ? Blake3.CHUNK_END : 0);
                compress(cv, m, 0, counters[i], last ? lastLen[i] : Blake3.BLOCK_LEN, flags, null);
            }
            System.arraycopy(cv, 0, out, outOff + 8 * i, 8);
        }
    }

    /**
     * The chaining values of {@code n} parent nodes, parent {@code i} made of the 16 words at
     * {@code cvs[inOff + 16*i]} (left then right child CV), into {@code out[outOff + 8*i]}.
     * {@code out} may be {@code cvs} when {@code outOff <= inOff}.
     */
    void hashParents(int[] cvs, int inOff, int n, int[] key, int flags, int[] out, int outOff) {
        int[] cv = new int[8];
        for (int i = 0; i < n; i++) {
            System.arraycopy(key, 0, cv, 0, 8);
            compress(cv, cvs, inOff + 16 * i, 0, Blake3.BLOCK_LEN, flags | Blake3.PARENT, null);
            System.arraycopy(cv, 0, out, outOff + 8 * i, 8);
        }
    }

    // ------------------------------------------------------------------ provider

    private static final Blake3Kernel SCALAR = new Scalar();
    private static volatile Blake3Kernel preferred;

    static Blake3Kernel scalar() {
        return SCALAR;
    }

    /** The kernel this JVM uses (chosen once). */
    static Blake3Kernel get() {
        Blake3Kernel k = preferred;
        if (k == null) {
            synchronized (Blake3Kernel.class) {
                k = preferred;
                if (k == null) {
                    k = choose();
                    preferred = k;
                }
            }
        }
        return k;
    }

    /** The name of the kernel in use, for runtime_info(). */
    static String describe() {
        return get().name();
    }

    private static Blake3Kernel choose() {
        String want = System.getProperty("pyfsjvm.blake3", "auto");
        if (want.equals("scalar")) {
            return SCALAR;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return SCALAR; // started without --add-modules jdk.incubator.vector
        }
        try {
            Class<?> c = Class.forName("pyfsjvm.hash.Blake3VectorKernel");
            Blake3Kernel v = (Blake3Kernel) c.getMethod("create", boolean.class).invoke(null, want.equals("vector"));
            return v == null ? SCALAR : v;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return SCALAR;
        }
    }

    // ------------------------------------------------------------------ scalar compression

    /**
     * Compresses one block whose 16 words are {@code m[mOff..mOff+16)}: {@code cv} (8 words) is
     * replaced by the new chaining value; with {@code full != null} the whole 16-word output goes
     * there too (the root's extended output needs it).
     */
    static void compress(int[] cv, int[] m, int mOff, long counter, int blockLen, int flags, int[] full) {
        int m0 = m[mOff], m1 = m[mOff + 1], m2 = m[mOff + 2], m3 = m[mOff + 3];
        int m4 = m[mOff + 4], m5 = m[mOff + 5], m6 = m[mOff + 6], m7 = m[mOff + 7];
        int m8 = m[mOff + 8], m9 = m[mOff + 9], m10 = m[mOff + 10], m11 = m[mOff + 11];
        int m12 = m[mOff + 12], m13 = m[mOff + 13], m14 = m[mOff + 14], m15 = m[mOff + 15];
        int s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3], s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7];
        int s8 = 0x6A09E667, s9 = 0xBB67AE85, s10 = 0x3C6EF372, s11 = 0xA54FF53A;
        int s12 = (int) counter, s13 = (int) (counter >>> 32), s14 = blockLen, s15 = flags;
        for (int r = 0; r < 7; r++) {
            s0 += s4 + m0; s12 = Integer.rotateRight(s12 ^ s0, 16); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 12);
            s0 += s4 + m1; s12 = Integer.rotateRight(s12 ^ s0, 8); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 7);
            s1 += s5 + m2; s13 = Integer.rotateRight(s13 ^ s1, 16); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 12);
            s1 += s5 + m3; s13 = Integer.rotateRight(s13 ^ s1, 8); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 7);
            s2 += s6 + m4; s14 = Integer.rotateRight(s14 ^ s2, 16); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 12);
            s2 += s6 + m5; s14 = Integer.rotateRight(s14 ^ s2, 8); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 7);
            s3 += s7 + m6; s15 = Integer.rotateRight(s15 ^ s3, 16); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 12);
            s3 += s7 + m7; s15 = Integer.rotateRight(s15 ^ s3, 8); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 7);
            s0 += s5 + m8; s15 = Integer.rotateRight(s15 ^ s0, 16); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 12);
            s0 += s5 + m9; s15 = Integer.rotateRight(s15 ^ s0, 8); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 7);
            s1 += s6 + m10; s12 = Integer.rotateRight(s12 ^ s1, 16); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 12);
            s1 += s6 + m11; s12 = Integer.rotateRight(s12 ^ s1, 8); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 7);
            s2 += s7 + m12; s13 = Integer.rotateRight(s13 ^ s2, 16); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 12);
            s2 += s7 + m13; s13 = Integer.rotateRight(s13 ^ s2, 8); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 7);
            s3 += s4 + m14; s14 = Integer.rotateRight(s14 ^ s3, 16); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 12);
            s3 += s4 + m15; s14 = Integer.rotateRight(s14 ^ s3, 8); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 7);
            if (r < 6) {
                int p0 = m2; int p1 = m6; int p2 = m3; int p3 = m10;
                int p4 = m7; int p5 = m0; int p6 = m4; int p7 = m13;
                int p8 = m1; int p9 = m11; int p10 = m12; int p11 = m5;
                int p12 = m9; int p13 = m14; int p14 = m15; int p15 = m8;
                m0 = p0; m1 = p1; m2 = p2; m3 = p3; m4 = p4; m5 = p5; m6 = p6; m7 = p7;
                m8 = p8; m9 = p9; m10 = p10; m11 = p11; m12 = p12; m13 = p13; m14 = p14; m15 = p15;
            }
        }
        if (full != null) {
            full[8] = s8 ^ cv[0]; full[9] = s9 ^ cv[1]; full[10] = s10 ^ cv[2]; full[11] = s11 ^ cv[3];
            full[12] = s12 ^ cv[4]; full[13] = s13 ^ cv[5]; full[14] = s14 ^ cv[6]; full[15] = s15 ^ cv[7];
            full[0] = s0 ^ s8; full[1] = s1 ^ s9; full[2] = s2 ^ s10; full[3] = s3 ^ s11;
            full[4] = s4 ^ s12; full[5] = s5 ^ s13; full[6] = s6 ^ s14; full[7] = s7 ^ s15;
        }
        cv[0] = s0 ^ s8; cv[1] = s1 ^ s9; cv[2] = s2 ^ s10; cv[3] = s3 ^ s11;
        cv[4] = s4 ^ s12; cv[5] = s5 ^ s13; cv[6] = s6 ^ s14; cv[7] = s7 ^ s15;
    }

    /** As {@link #compress(int[], int[], int, long, int, int, int[])} for a full 64-byte block of {@code src}. */
    static void compress(int[] cv, ByteBuffer src, int off, long counter, int flags) {
        int m0 = src.getInt(off), m1 = src.getInt(off + 4);
        int m2 = src.getInt(off + 8), m3 = src.getInt(off + 12);
        int m4 = src.getInt(off + 16), m5 = src.getInt(off + 20);
        int m6 = src.getInt(off + 24), m7 = src.getInt(off + 28);
        int m8 = src.getInt(off + 32), m9 = src.getInt(off + 36);
        int m10 = src.getInt(off + 40), m11 = src.getInt(off + 44);
        int m12 = src.getInt(off + 48), m13 = src.getInt(off + 52);
        int m14 = src.getInt(off + 56), m15 = src.getInt(off + 60);
        int s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3], s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7];
        int s8 = 0x6A09E667, s9 = 0xBB67AE85, s10 = 0x3C6EF372, s11 = 0xA54FF53A;
        int s12 = (int) counter, s13 = (int) (counter >>> 32), s14 = Blake3.BLOCK_LEN, s15 = flags;
        for (int r = 0; r < 7; r++) {
            s0 += s4 + m0; s12 = Integer.rotateRight(s12 ^ s0, 16); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 12);
            s0 += s4 + m1; s12 = Integer.rotateRight(s12 ^ s0, 8); s8 += s12; s4 = Integer.rotateRight(s4 ^ s8, 7);
            s1 += s5 + m2; s13 = Integer.rotateRight(s13 ^ s1, 16); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 12);
            s1 += s5 + m3; s13 = Integer.rotateRight(s13 ^ s1, 8); s9 += s13; s5 = Integer.rotateRight(s5 ^ s9, 7);
            s2 += s6 + m4; s14 = Integer.rotateRight(s14 ^ s2, 16); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 12);
            s2 += s6 + m5; s14 = Integer.rotateRight(s14 ^ s2, 8); s10 += s14; s6 = Integer.rotateRight(s6 ^ s10, 7);
            s3 += s7 + m6; s15 = Integer.rotateRight(s15 ^ s3, 16); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 12);
            s3 += s7 + m7; s15 = Integer.rotateRight(s15 ^ s3, 8); s11 += s15; s7 = Integer.rotateRight(s7 ^ s11, 7);
            s0 += s5 + m8; s15 = Integer.rotateRight(s15 ^ s0, 16); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 12);
            s0 += s5 + m9; s15 = Integer.rotateRight(s15 ^ s0, 8); s10 += s15; s5 = Integer.rotateRight(s5 ^ s10, 7);
            s1 += s6 + m10; s12 = Integer.rotateRight(s12 ^ s1, 16); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 12);
            s1 += s6 + m11; s12 = Integer.rotateRight(s12 ^ s1, 8); s11 += s12; s6 = Integer.rotateRight(s6 ^ s11, 7);
            s2 += s7 + m12; s13 = Integer.rotateRight(s13 ^ s2, 16); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 12);
            s2 += s7 + m13; s13 = Integer.rotateRight(s13 ^ s2, 8); s8 += s13; s7 = Integer.rotateRight(s7 ^ s8, 7);
            s3 += s4 + m14; s14 = Integer.rotateRight(s14 ^ s3, 16); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 12);
            s3 += s4 + m15; s14 = Integer.rotateRight(s14 ^ s3, 8); s9 += s14; s4 = Integer.rotateRight(s4 ^ s9, 7);
            if (r < 6) {
                int p0 = m2; int p1 = m6; int p2 = m3; int p3 = m10;
                int p4 = m7; int p5 = m0; int p6 = m4; int p7 = m13;
                int p8 = m1; int p9 = m11; int p10 = m12; int p11 = m5;
                int p12 = m9; int p13 = m14; int p14 = m15; int p15 = m8;
                m0 = p0; m1 = p1; m2 = p2; m3 = p3; m4 = p4; m5 = p5; m6 = p6; m7 = p7;
                m8 = p8; m9 = p9; m10 = p10; m11 = p11; m12 = p12; m13 = p13; m14 = p14; m15 = p15;
            }
        }
        cv[0] = s0 ^ s8; cv[1] = s1 ^ s9; cv[2] = s2 ^ s10; cv[3] = s3 ^ s11;
        cv[4] = s4 ^ s12; cv[5] = s5 ^ s13; cv[6] = s6 ^ s14; cv[7] = s7 ^ s15;
    }

    /** One chunk after another, one block after another. */
    static final class Scalar extends Blake3Kernel {
        @Override
        int degree() {
            return 1;
        }

        @Override
        String name() {
            return "scalar";
        }

        @Override
        void hashChunks(ByteBuffer src, int off, int n, int[] key, long counter, int flags, int[] out, int outOff) {
            int[] cv = new int[8];
            for (int i = 0; i < n; i++) {
                System.arraycopy(key, 0, cv, 0, 8);
                int base = off + Blake3.CHUNK_LEN * i;
                for (int b = 0; b < 16; b++) {
                    int f = flags | (b == 0 ? Blake3.CHUNK_START : 0) | (b == 15 ? Blake3.CHUNK_END : 0);
                    compress(cv, src, base + Blake3.BLOCK_LEN * b, counter + i, f);
                }
                System.arraycopy(cv, 0, out, outOff + 8 * i, 8);
            }
        }
    }
}
