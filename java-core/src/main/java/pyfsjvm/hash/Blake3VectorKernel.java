package pyfsjvm.hash;

import static jdk.incubator.vector.VectorOperators.ROR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * BLAKE3 through the Vector API ({@code jdk.incubator.vector}): one chunk (or one parent node) per
 * int lane, so 16 chunks at once with AVX-512 and 8 with AVX2. Loaded only by name from
 * {@link Blake3Kernel#get()}, so nothing here is touched on a JVM without the incubator module.
 *
 * <p>Input words reach lane order by a bulk copy of the group's bytes into an {@code int[]} and one
 * gather per word index (measured here: about 2x a scalar transposition on JDK 25, equal on 17),
 * rather than vector shuffles, whose two-input forms are slow or missing on JDK 17; JDK 22+ runs
 * {@code Blake3SegmentKernel}, which transposes in registers. The rounds are straight-line methods
 * (see {@link #compressBlocks}): the first, one shared by rounds 2-6, and the last; on long runs,
 * once C2 has compiled it, {@link Blake3RegisterRounds} does all seven in one method instead.
 */
class Blake3VectorKernel extends Blake3Kernel {
    static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED.length() >= 8
            ? IntVector.SPECIES_PREFERRED : IntVector.SPECIES_256;
    static final int L = S.length();

    private static final int IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;

    /** Gather indices: word k of lane l is at {@code k + 256*l} (chunks) or {@code w + 16*l} (parents). */
    private static final int[] CHUNK_INDEX = new int[L];
    private static final int[] PARENT_INDEX = new int[L];

    static {
        for (int l = 0; l < L; l++) {
            CHUNK_INDEX[l] = 256 * l;
            PARENT_INDEX[l] = 16 * l;
        }
    }

    /** Message word of each of the 16 positions, round by round (the BLAKE3 permutation applied r times). */
    private static final int[] SCHEDULE = new int[16 * 7];

    static {
        int[] perm = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
        for (int k = 0; k < 16; k++) {
            SCHEDULE[k] = k;
        }
        for (int r = 1; r < 7; r++) {
            for (int k = 0; k < 16; k++) {
                SCHEDULE[16 * r + k] = SCHEDULE[16 * (r - 1) + perm[k]];
            }
        }
    }

    /** Per-thread scratch: the transposed words of one group, CVs, counters. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static final class Scratch {
        final int[] t = new int[256 * L];
        final int[] cvT = new int[8 * L];
        final int[] lo = new int[L];
        final int[] hi = new int[L];
        final int[] st = new int[16 * L];
        final int[] words = new int[256 * L];
        final int[] laneLen = new int[L];
        final int[] laneFlags = new int[L];
        final byte[] pad = new byte[Blake3.CHUNK_LEN * L];
        int[] runCvT = new int[0]; // hashRuns' CVs, grown to the longest run seen
        long groups; // groups this thread has hashed, for Blake3RoundsSwitch
        final ByteBuffer padBuffer = ByteBuffer.wrap(pad).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The fewest chunks worth a whole (padded) group: one group costs about as much as L/4 chunks
     * through the scalar kernel, and files of a few KiB are mostly such remainders.
     */
    private static final int PADDED_MIN = Math.max(2, L / 4);

    Blake3VectorKernel() {}

    /** The vector kernel, or null where it would be slower than scalar (unless {@code force}). */
    public static Blake3Kernel create(boolean force) {
        if (!force && IntVector.SPECIES_PREFERRED.length() < 8) {
            return null; // 128-bit vectors: 4 lanes do not pay for the transposition
        }
        // the in-register transpositions, newest first, if this JDK runs them and this jar has them
        // (a jar built on an older JDK lacks them: the gathering kernel below is correct, only slower)
        int feature = Runtime.version().feature();
        Blake3Kernel k = feature >= 25 ? byName("pyfsjvm.hash.Blake3SelectKernel") : null;
        if (k == null && feature >= 22) {
            k = byName("pyfsjvm.hash.Blake3SegmentKernel");
        }
        return k != null ? k : new Blake3VectorKernel();
    }

    /** {@code name.create()}, or null if this jar lacks the class or it declines this CPU. */
    static Blake3Kernel byName(String name) {
        try {
            return (Blake3Kernel) Class.forName(name).getMethod("create").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    @Override
    int degree() {
        return L;
    }

    @Override
    String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    void hashChunks(ByteBuffer src, int off, int n, int[] key, long counter, int flags, int[] out, int outOff) {
        Scratch s = SCRATCH.get();
        countWork(s, n / L);
        int i = 0;
        for (; i + L <= n; i += L) {
            hashGroup(src, off + Blake3.CHUNK_LEN * i, key, counter + i, flags, s);
            untranspose(s.cvT, out, outOff + 8 * i, L);
        }
        int rest = n - i;
        if (rest >= PADDED_MIN) { // a part group: copied into a full one, the spare lanes' CVs dropped
            src.get(off + Blake3.CHUNK_LEN * i, s.pad, 0, Blake3.CHUNK_LEN * rest);
            hashGroup(s.padBuffer, 0, key, counter + i, flags, s);
            untranspose(s.cvT, out, outOff + 8 * i, rest);
        } else if (rest > 0) {
            Blake3Kernel.scalar().hashChunks(src, off + Blake3.CHUNK_LEN * i, rest, key, counter + i, flags,
                    out, outOff + 8 * i);
        }
    }

    /**
     * The longest run of chunks a lane takes in {@link #hashRuns}: here as long as the input allows
     * (this kernel gathers its words and is bound by its arithmetic: shorter runs only add merging,
     * 3-5 % on JDK 17); {@code Blake3SegmentKernel} streams from memory and says otherwise.
     */
    @Override
    int runChunks() {
        return Integer.MAX_VALUE;
    }

    @Override
    int hashRuns(ByteBuffer src, int off, int n, int[] key, long counter, int flags, int[] out, int outOff) {
        int run = Math.min(n / L, runChunks());
        if (Integer.bitCount(n) != 1 || run < 2 || Integer.bitCount(run) != 1) { // then L * run divides n
            return super.hashRuns(src, off, n, key, counter, flags, out, outOff);
        }
        Scratch s = SCRATCH.get();
        countWork(s, n / L);
        int made = 0;
        for (int p = 0; p < n; p += L * run, made += L) {
            hashRun(src, off + Blake3.CHUNK_LEN * p, run, key, counter + p, flags, out, outOff + 8 * made, s);
        }
        return made;
    }

    /** The {@code L} runs of {@code run} chunks each at {@code src[off..]}: one CV per lane, as {@link #hashRuns}. */
    private void hashRun(ByteBuffer src, int off, int run, int[] key, long counter, int flags, int[] out, int outOff,
                         Scratch s) {
        if (s.runCvT.length < 8 * L * run) {
            s.runCvT = new int[8 * L * run];
        }
        int[] cvs = s.runCvT; // slot g: the lanes' CVs in cvT's word-major layout
        int stride = Blake3.CHUNK_LEN * run;
        for (int g = 0; g < run; g++) { // group g: chunk g of every lane's run
            for (int l = 0; l < L; l++) {
                long c = counter + (long) run * l + g;
                s.lo[l] = (int) c;
                s.hi[l] = (int) (c >>> 32);
            }
            for (int w = 0; w < 8; w++) {
                java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
            }
            compressGroup(src, off + Blake3.CHUNK_LEN * g, stride, flags, s);
            System.arraycopy(s.cvT, 0, cvs, 8 * L * g, 8 * L);
        }
        // each lane's run to one CV, level by level: slots 2g and 2g+1 are the parent's 16 words
        // in exactly the layout compressBlocks reads (word w of lane l at w*L + l)
        java.util.Arrays.fill(s.lo, 0);
        java.util.Arrays.fill(s.hi, 0);
        for (int m = run; m > 1; m /= 2) {
            for (int g = 0; g < m / 2; g++) {
                System.arraycopy(cvs, 8 * L * (2 * g), s.t, 0, 16 * L);
                for (int w = 0; w < 8; w++) {
                    java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
                }
                compressBlocks(s.t, 1, s.cvT, s.lo, s.hi, flags | Blake3.PARENT, 0, 0, s.st);
                System.arraycopy(s.cvT, 0, cvs, 8 * L * g, 8 * L);
            }
        }
        untranspose(cvs, out, outOff, L);
    }

    @Override
    void hashChunksAt(ByteBuffer src, int off, long[] counters, int n, int[] key, int flags, int[] out, int outOff) {
        if (n < PADDED_MIN) {
            super.hashChunksAt(src, off, counters, n, key, flags, out, outOff); // cheaper one by one
            return;
        }
        Scratch s = SCRATCH.get();
        countWork(s, 1);
        for (int l = 0; l < L; l++) {
            long c = l < n ? counters[l] : 0;
            s.lo[l] = (int) c;
            s.hi[l] = (int) (c >>> 32);
        }
        for (int w = 0; w < 8; w++) {
            java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
        }
        compressGroup(src, off, Blake3.CHUNK_LEN, flags, s);
        untranspose(s.cvT, out, outOff, n);
    }

    /**
     * The lanes run block by block up to the longest chunk, each lane with its own block length
     * and flags (CHUNK_END on its own last block); a lane's CV is taken out after its last block,
     * and what the lane computes after that is dropped. The caller sorts the chunks by block
     * count, so a group wastes few blocks.
     */
    @Override
    void hashLastChunks(ByteBuffer src, long[] counters, int[] blocks, int[] lastLen, int n, int[] key,
                        int[] out, int outOff) {
        if (n < PADDED_MIN) {
            super.hashLastChunks(src, counters, blocks, lastLen, n, key, out, outOff);
            return;
        }
        Scratch s = SCRATCH.get();
        int most = 0;
        for (int l = 0; l < L; l++) {
            long c = l < n ? counters[l] : 0;
            s.lo[l] = (int) c;
            s.hi[l] = (int) (c >>> 32);
            most = Math.max(most, l < n ? blocks[l] : 0);
        }
        for (int w = 0; w < 8; w++) {
            java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
        }
        // each lane's first 16*most words, then gathered into lane order as compressGroup does
        java.nio.IntBuffer words = le(src).duplicate().position(0).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int l = 0; l < L; l++) {
            words.get(256 * l, s.words, 256 * l, 16 * most);
        }
        int[] t = s.t;
        for (int k = 0; k < 16 * most; k++) {
            IntVector.fromArray(S, s.words, k, CHUNK_INDEX, 0).intoArray(t, k * L);
        }
        for (int b = 0; b < most; b++) {
            for (int l = 0; l < L; l++) {
                boolean last = l < n && b == blocks[l] - 1;
                s.laneLen[l] = last ? lastLen[l] : Blake3.BLOCK_LEN;
                s.laneFlags[l] = (b == 0 ? Blake3.CHUNK_START : 0) | (last ? Blake3.CHUNK_END : 0);
            }
            compressBlock(t, 16 * L * b, s.cvT, s.lo, s.hi, s.laneLen, s.laneFlags, s.st);
            for (int l = 0; l < n; l++) {
                if (b == blocks[l] - 1) {
                    for (int w = 0; w < 8; w++) {
                        out[outOff + 8 * l + w] = s.cvT[w * L + l];
                    }
                }
            }
        }
    }

    /** The CVs of the L chunks at {@code src[base..]}, numbered from {@code counter}, into {@code s.cvT}. */
    private void hashGroup(ByteBuffer src, int base, int[] key, long counter, int flags, Scratch s) {
        for (int l = 0; l < L; l++) {
            long c = counter + l;
            s.lo[l] = (int) c;
            s.hi[l] = (int) (c >>> 32);
        }
        for (int w = 0; w < 8; w++) {
            java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
        }
        compressGroup(src, base, Blake3.CHUNK_LEN, flags, s);
    }

    /**
     * Compresses the 16 blocks of the {@code L} whole chunks at {@code src[base + stride*l]},
     * chaining through {@code s.cvT} (counters in {@code s.lo/s.hi}). Here: the chunks' words are
     * bulk-copied into an {@code int[]} and gathered into lane order; overridden on JDK 22+ by
     * {@code Blake3SegmentKernel}, which transposes each block in registers straight from the buffer.
     */
    void compressGroup(ByteBuffer src, int base, int stride, int flags, Scratch s) {
        int[] t = s.t;
        if (((base | stride) & 3) == 0) { // word-aligned: bulk-copy the chunks' words, gather them per lane
            java.nio.IntBuffer words = src.duplicate().position(0).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            if (stride == Blake3.CHUNK_LEN) {
                words.get(base >>> 2, s.words, 0, 256 * L);
            } else {
                for (int l = 0; l < L; l++) {
                    words.get((base + stride * l) >>> 2, s.words, 256 * l, 256);
                }
            }
            for (int k = 0; k < 256; k++) {
                IntVector.fromArray(S, s.words, k, CHUNK_INDEX, 0).intoArray(t, k * L);
            }
        } else {
            for (int l = 0; l < L; l++) {
                int p = base + stride * l;
                for (int k = 0; k < 256; k++) {
                    t[k * L + l] = src.getInt(p + 4 * k);
                }
            }
        }
        compressBlocks(t, 16, s.cvT, s.lo, s.hi, flags, Blake3.CHUNK_START, Blake3.CHUNK_END, s.st);
    }

    @Override
    void hashParents(int[] cvs, int inOff, int n, int[] key, int flags, int[] out, int outOff) {
        Scratch s = SCRATCH.get();
        int i = 0;
        for (; i + L <= n; i += L) {
            int[] t = s.t;
            int p = inOff + 16 * i;
            for (int w = 0; w < 16; w++) {
                IntVector.fromArray(S, cvs, p + w, PARENT_INDEX, 0).intoArray(t, w * L);
            }
            java.util.Arrays.fill(s.lo, 0);
            java.util.Arrays.fill(s.hi, 0);
            for (int w = 0; w < 8; w++) {
                java.util.Arrays.fill(s.cvT, w * L, (w + 1) * L, key[w]);
            }
            compressBlocks(t, 1, s.cvT, s.lo, s.hi, flags | Blake3.PARENT, 0, 0, s.st);
            untranspose(s.cvT, out, outOff + 8 * i, L);
        }
        if (i < n) {
            super.hashParents(cvs, inOff + 16 * i, n - i, key, flags, out, outOff + 8 * i);
        }
    }

    /** Counts this thread's groups; enough of them make the register rounds worth their compiling. */
    private static void countWork(Scratch s, long groups) {
        if (Blake3RegisterRounds.ENABLED && (s.groups += groups) >= Blake3RoundsSwitch.WORK_BEFORE_WARM_UP) {
            Blake3RoundsSwitch.warmUp();
        }
    }

    /** The CVs of the first {@code lanes} lanes, chunk-major, into {@code out[outOff..]}. */
    private static void untranspose(int[] cvT, int[] out, int outOff, int lanes) {
        for (int l = 0; l < lanes; l++) {
            for (int w = 0; w < 8; w++) {
                out[outOff + 8 * l + w] = cvT[w * L + l];
            }
        }
    }

    /**
     * Compresses {@code nBlocks} full blocks per lane ({@code t}: block b, word w, lane l at
     * {@code t[(16*b + w)*L + l]}), chaining from and into {@code cvT} (word w, lane l at
     * {@code cvT[w*L + l]}). {@code first}/{@code last} are the extra flags of the first/last block.
     *
     * <p>One method per round, the state passing through {@code st} between them: no vector is
     * live across a loop back-edge or a call, so C2 never has to box one (a loop over the rounds
     * with loop-carried vectors allocated ~20 KB per chunk here), and each method stays small.
     */
    static void compressBlocks(int[] t, int nBlocks, int[] cvT, int[] lo, int[] hi, int flags,
                                       int first, int last, int[] st) {
        for (int b = 0; b < nBlocks; b++) {
            int f = flags | (b == 0 ? first : 0) | (b == nBlocks - 1 ? last : 0);
            compressBlock(t, 16 * L * b, cvT, lo, hi, FULL, SAME_FLAGS[f], st);
        }
    }

    /** One block per lane ({@code t[base..]}), lane l with {@code blockLen[l]} and {@code flags[l]}. */
    private static void compressBlock(int[] t, int base, int[] cvT, int[] lo, int[] hi, int[] blockLen,
                                      int[] flags, int[] st) {
        if (Blake3RegisterRounds.ENABLED && Blake3RoundsSwitch.ready()) {
            Blake3RegisterRounds.compress(t, base, cvT, lo, hi, blockLen, flags);
            return;
        }
        round0(cvT, lo, hi, blockLen, flags, t, base, st);
        for (int r = 1; r < 6; r++) {
            round(t, base, st, r);
        }
        round6(t, base, st, cvT);
    }

    /** Every lane's block length when it is a whole block. */
    private static final int[] FULL = new int[L];
    /** {@code SAME_FLAGS[f]}: every lane's flags {@code f} (all BLAKE3 flags fit in 7 bits). */
    private static final int[][] SAME_FLAGS = new int[128][L];

    static {
        java.util.Arrays.fill(FULL, Blake3.BLOCK_LEN);
        for (int f = 0; f < SAME_FLAGS.length; f++) {
            java.util.Arrays.fill(SAME_FLAGS[f], f);
        }
    }

    /** Round 1: state from the chaining values, IV, counters, block length and flags. */
    private static void round0(int[] cvT, int[] lo, int[] hi, int[] blockLen, int[] flags, int[] t, int base,
                               int[] st) {
        IntVector v0 = IntVector.fromArray(S, cvT, 0 * L); IntVector v1 = IntVector.fromArray(S, cvT, 1 * L); IntVector v2 = IntVector.fromArray(S, cvT, 2 * L); IntVector v3 = IntVector.fromArray(S, cvT, 3 * L);
        IntVector v4 = IntVector.fromArray(S, cvT, 4 * L); IntVector v5 = IntVector.fromArray(S, cvT, 5 * L); IntVector v6 = IntVector.fromArray(S, cvT, 6 * L); IntVector v7 = IntVector.fromArray(S, cvT, 7 * L);
        IntVector v8 = IntVector.broadcast(S, IV0), v9 = IntVector.broadcast(S, IV1);
        IntVector v10 = IntVector.broadcast(S, IV2), v11 = IntVector.broadcast(S, IV3);
        IntVector v12 = IntVector.fromArray(S, lo, 0), v13 = IntVector.fromArray(S, hi, 0);
        IntVector v14 = IntVector.fromArray(S, blockLen, 0), v15 = IntVector.fromArray(S, flags, 0);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base)); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base + 1 * L)); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base + 2 * L)); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base + 3 * L)); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + 4 * L)); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + 5 * L)); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + 6 * L)); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + 7 * L)); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + 8 * L)); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + 9 * L)); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + 10 * L)); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + 11 * L)); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + 12 * L)); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + 13 * L)); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + 14 * L)); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + 15 * L)); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
        v0.intoArray(st, 0 * L); v1.intoArray(st, 1 * L); v2.intoArray(st, 2 * L); v3.intoArray(st, 3 * L);
        v4.intoArray(st, 4 * L); v5.intoArray(st, 5 * L); v6.intoArray(st, 6 * L); v7.intoArray(st, 7 * L);
        v8.intoArray(st, 8 * L); v9.intoArray(st, 9 * L); v10.intoArray(st, 10 * L); v11.intoArray(st, 11 * L);
        v12.intoArray(st, 12 * L); v13.intoArray(st, 13 * L); v14.intoArray(st, 14 * L); v15.intoArray(st, 15 * L);
    }

    /**
     * Rounds 2 to 6 (r = 1..5): one method, the message word of each position read through
     * {@link #SCHEDULE}, so C2 compiles one round body instead of five (compiling the kernel is
     * what a fresh JVM waits for before BLAKE3 runs at speed).
     */
    private static void round(int[] t, int base, int[] st, int r) {
        int[] m = SCHEDULE;
        int o = 16 * r;
        IntVector v0 = IntVector.fromArray(S, st, 0 * L); IntVector v1 = IntVector.fromArray(S, st, 1 * L); IntVector v2 = IntVector.fromArray(S, st, 2 * L); IntVector v3 = IntVector.fromArray(S, st, 3 * L);
        IntVector v4 = IntVector.fromArray(S, st, 4 * L); IntVector v5 = IntVector.fromArray(S, st, 5 * L); IntVector v6 = IntVector.fromArray(S, st, 6 * L); IntVector v7 = IntVector.fromArray(S, st, 7 * L);
        IntVector v8 = IntVector.fromArray(S, st, 8 * L); IntVector v9 = IntVector.fromArray(S, st, 9 * L); IntVector v10 = IntVector.fromArray(S, st, 10 * L); IntVector v11 = IntVector.fromArray(S, st, 11 * L);
        IntVector v12 = IntVector.fromArray(S, st, 12 * L); IntVector v13 = IntVector.fromArray(S, st, 13 * L); IntVector v14 = IntVector.fromArray(S, st, 14 * L); IntVector v15 = IntVector.fromArray(S, st, 15 * L);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base + L * m[o + 0])); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base + L * m[o + 1])); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base + L * m[o + 2])); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base + L * m[o + 3])); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + L * m[o + 4])); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + L * m[o + 5])); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + L * m[o + 6])); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + L * m[o + 7])); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + L * m[o + 8])); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + L * m[o + 9])); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + L * m[o + 10])); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + L * m[o + 11])); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + L * m[o + 12])); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + L * m[o + 13])); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + L * m[o + 14])); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + L * m[o + 15])); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
        v0.intoArray(st, 0 * L); v1.intoArray(st, 1 * L); v2.intoArray(st, 2 * L); v3.intoArray(st, 3 * L);
        v4.intoArray(st, 4 * L); v5.intoArray(st, 5 * L); v6.intoArray(st, 6 * L); v7.intoArray(st, 7 * L);
        v8.intoArray(st, 8 * L); v9.intoArray(st, 9 * L); v10.intoArray(st, 10 * L); v11.intoArray(st, 11 * L);
        v12.intoArray(st, 12 * L); v13.intoArray(st, 13 * L); v14.intoArray(st, 14 * L); v15.intoArray(st, 15 * L);
    }

    /** Round 7, then the new chaining values into {@code cvT}. */
    private static void round6(int[] t, int base, int[] st, int[] cvT) {
        IntVector v0 = IntVector.fromArray(S, st, 0 * L); IntVector v1 = IntVector.fromArray(S, st, 1 * L); IntVector v2 = IntVector.fromArray(S, st, 2 * L); IntVector v3 = IntVector.fromArray(S, st, 3 * L);
        IntVector v4 = IntVector.fromArray(S, st, 4 * L); IntVector v5 = IntVector.fromArray(S, st, 5 * L); IntVector v6 = IntVector.fromArray(S, st, 6 * L); IntVector v7 = IntVector.fromArray(S, st, 7 * L);
        IntVector v8 = IntVector.fromArray(S, st, 8 * L); IntVector v9 = IntVector.fromArray(S, st, 9 * L); IntVector v10 = IntVector.fromArray(S, st, 10 * L); IntVector v11 = IntVector.fromArray(S, st, 11 * L);
        IntVector v12 = IntVector.fromArray(S, st, 12 * L); IntVector v13 = IntVector.fromArray(S, st, 13 * L); IntVector v14 = IntVector.fromArray(S, st, 14 * L); IntVector v15 = IntVector.fromArray(S, st, 15 * L);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base + 11 * L)); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
        v0 = v0.add(v4).add(IntVector.fromArray(S, t, base + 15 * L)); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
        v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base + 5 * L)); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
        v1 = v1.add(v5).add(IntVector.fromArray(S, t, base)); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
        v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + 1 * L)); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
        v2 = v2.add(v6).add(IntVector.fromArray(S, t, base + 9 * L)); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
        v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + 8 * L)); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
        v3 = v3.add(v7).add(IntVector.fromArray(S, t, base + 6 * L)); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
        v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + 14 * L)); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
        v0 = v0.add(v5).add(IntVector.fromArray(S, t, base + 10 * L)); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
        v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + 2 * L)); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
        v1 = v1.add(v6).add(IntVector.fromArray(S, t, base + 12 * L)); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
        v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + 3 * L)); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
        v2 = v2.add(v7).add(IntVector.fromArray(S, t, base + 4 * L)); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
        v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + 7 * L)); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
        v3 = v3.add(v4).add(IntVector.fromArray(S, t, base + 13 * L)); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
        v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
        v0.lanewise(XOR, v8).intoArray(cvT, 0); v1.lanewise(XOR, v9).intoArray(cvT, L);
        v2.lanewise(XOR, v10).intoArray(cvT, 2 * L); v3.lanewise(XOR, v11).intoArray(cvT, 3 * L);
        v4.lanewise(XOR, v12).intoArray(cvT, 4 * L); v5.lanewise(XOR, v13).intoArray(cvT, 5 * L);
        v6.lanewise(XOR, v14).intoArray(cvT, 6 * L); v7.lanewise(XOR, v15).intoArray(cvT, 7 * L);
    }
}
