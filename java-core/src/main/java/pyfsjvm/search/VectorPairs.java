package pyfsjvm.search;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Prefilter}'s pair scan through the Vector API: one register of text (32 or 64 bytes) is
 * compared with each literal's first rare byte at once, and only if one matches is the register
 * at the literal's gap loaded and compared with its second. The same test as the SWAR loop, eight
 * times wider. Loaded by name only when {@code jdk.incubator.vector} is present.
 */
final class VectorPairs implements Prefilter.PairScan {
    private static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED.length() >= 32
            ? ByteVector.SPECIES_PREFERRED : ByteVector.SPECIES_256;
    private static final byte CASE = 0x20;

    private final byte[] lo;
    private final byte[] hi;
    private final int[] gap;
    private final byte[] loFold; // 0x20 to fold a letter to lower case, else 0
    private final byte[] hiFold;
    private final int maxGap;

    private VectorPairs(byte[] lo, byte[] hi, int[] gap, boolean[] loFold, boolean[] hiFold) {
        int m = 0;
        for (int g : gap) {
            m = Math.max(m, g);
        }
        this.maxGap = m;
        this.lo = lo;
        this.hi = hi;
        this.gap = gap;
        this.loFold = foldBytes(loFold);
        this.hiFold = foldBytes(hiFold);
    }

    private static byte[] foldBytes(boolean[] fold) {
        byte[] r = new byte[fold.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = fold[k] ? CASE : 0;
        }
        return r;
    }

    /** Called reflectively by {@link Prefilter}; null where the CPU has no 256-bit byte vectors. */
    public static Prefilter.PairScan create(byte[] lo, byte[] hi, int[] gap, boolean[] loFold, boolean[] hiFold) {
        if (S.vectorBitSize() < 256 || S.length() > 64) { // masks are read as one long
            return null;
        }
        return new VectorPairs(lo, hi, gap, loFold, hiFold);
    }

    @Override
    public int next(byte[] a, int from, int to) {
        int width = S.length();
        int n = lo.length;
        int i = from;
        // Masks become longs at once (at most 64 lanes) and case folding is an OR with 0 or 0x20 for
        // every literal: no vector or mask object flows between branches, so C2 keeps them all in
        // registers instead of allocating (which it did, hundreds of MB per search).
        for (; i + width + maxGap <= to; i += width) {
            ByteVector w = ByteVector.fromArray(S, a, i);
            long hit = 0;
            for (int k = 0; k < n; k++) {
                VectorMask<Byte> first = w.lanewise(VectorOperators.OR, loFold[k]).eq(lo[k]);
                if (first.anyTrue()) {
                    ByteVector h = ByteVector.fromArray(S, a, i + gap[k]);
                    hit |= first.and(h.lanewise(VectorOperators.OR, hiFold[k]).eq(hi[k])).toLong();
                }
            }
            if (hit != 0) {
                return i + Long.numberOfTrailingZeros(hit);
            }
        }
        return ~i;
    }
}
