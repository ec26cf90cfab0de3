package pyfsjvm.search;

/**
 * Finds the next place where one of the pattern's required literals occurs, so the searcher only
 * runs the regex on lines that can match (the idea behind ripgrep's literal optimisations).
 *
 * <p>For each literal the two bytes rarest in typical text and source code ({@link #RANK}) are
 * chosen, and the buffer is scanned eight positions at a time ({@link Bytes}) for a place where
 * both sit at their distance apart (the "packed pair" idea of Rust's memchr); each such place is
 * verified against the whole literal. Case-insensitive literals (ASCII only, see
 * {@link RustRegex.Literals#asciiFoldSafe}) fold letters to lower case before comparing. Sets of
 * more than {@link #MAX_PAIRED} literals fall back to a table of one anchor byte per literal.
 *
 * <p>{@link #find} returns the leftmost occurrence of any literal: no line before it can match.
 */
final class Prefilter {
    /** Literal sets up to this size are scanned by byte pairs; larger ones by a byte table. */
    private static final int MAX_PAIRED = 4;

    private final byte[][] lits;
    private final boolean ci;
    // Per literal: the rarest two positions lo < hi (lo == hi for a one-byte literal), their bytes
    // broadcast to all eight lanes, and per byte a case-fold mask (0x20 in every lane for a letter
    // under ignore-case, so that OR-ing it in lower-cases the text byte before comparing).
    private final int[] lo;
    private final int[] gap;
    private final long[] loPat;
    private final long[] hiPat;
    private final long[] loFold;
    private final long[] hiFold;
    private final int maxGap;
    private final boolean[] table = new boolean[256];
    private final PairScan vector;

    Prefilter(byte[][] literals, boolean ignoreCase) {
        this(literals, ignoreCase, true);
    }

    /** {@code simd=false}: the SWAR scan only (tests compare the two). */
    Prefilter(byte[][] literals, boolean ignoreCase, boolean simd) {
        this.lits = literals;
        this.ci = ignoreCase;
        int n = literals.length;
        lo = new int[n];
        gap = new int[n];
        loPat = new long[n];
        hiPat = new long[n];
        loFold = new long[n];
        hiFold = new long[n];
        int widest = 0;
        for (int k = 0; k < n; k++) {
            byte[] l = literals[k];
            int first = rarest(l, -1);
            int second = l.length > 1 ? rarest(l, first) : first;
            int a = Math.min(first, second);
            int b = Math.max(first, second);
            lo[k] = a;
            gap[k] = b - a;
            widest = Math.max(widest, b - a);
            loPat[k] = Bytes.broadcast(folded(l[a]));
            hiPat[k] = Bytes.broadcast(folded(l[b]));
            loFold[k] = foldMask(l[a]);
            hiFold[k] = foldMask(l[b]);
            table[l[a] & 0xFF] = true;
            if (ci && isAsciiLetter(l[a])) {
                table[(l[a] ^ 0x20) & 0xFF] = true;
            }
        }
        maxGap = widest;
        vector = simd && n <= MAX_PAIRED ? vectorScan(this) : null;
    }

    /**
     * Finds where some literal's two rare bytes sit their gap apart: {@link #nextPair} eight
     * positions at a time, or {@code VectorPairs} a whole SIMD register at a time.
     */
    interface PairScan {
        /**
         * The first candidate position from {@code from} on (both bytes inside {@code a[.., to)}),
         * or {@code ~i} if there is none before {@code i}, where the caller's own loop goes on.
         */
        int next(byte[] a, int from, int to);
    }

    private static final boolean VECTOR = System.getProperty("pyfsjvm.search.vector", "auto").equals("auto")
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The Vector API scanner, if the JVM has the incubator module (loaded by name, as Blake3Kernel does). */
    private static PairScan vectorScan(Prefilter p) {
        if (!VECTOR) {
            return null;
        }
        try {
            Class<?> c = Class.forName("pyfsjvm.search.VectorPairs");
            return (PairScan) c.getMethod("create", byte[].class, byte[].class, int[].class, boolean[].class,
                    boolean[].class).invoke(null, p.bytes(p.loPat), p.bytes(p.hiPat), p.gap, p.folds(p.loFold),
                    p.folds(p.hiFold));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Whether the Vector API scan is in use (tests). */
    boolean simd() {
        return vector != null;
    }

    private byte[] bytes(long[] broadcast) {
        byte[] r = new byte[broadcast.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = (byte) broadcast[k];
        }
        return r;
    }

    private boolean[] folds(long[] masks) {
        boolean[] r = new boolean[masks.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = masks[k] != 0;
        }
        return r;
    }

    /** The position of the rarest byte of {@code l} ({@link #RANK}) other than {@code not}, preferring a different byte. */
    private int rarest(byte[] l, int not) {
        int best = -1;
        int bestCost = Integer.MAX_VALUE;
        for (int j = 0; j < l.length; j++) {
            if (j == not) {
                continue;
            }
            int cost = rank(l[j]) + (not >= 0 && l[j] == l[not] ? 256 : 0);
            if (cost < bestCost) {
                best = j;
                bestCost = cost;
            }
        }
        return best;
    }

    /** How common a literal byte is in text; under ignore-case a letter is as common as its commoner case. */
    private int rank(byte b) {
        int r = RANK[b & 0xFF];
        return ci && isAsciiLetter(b) ? Math.max(r, RANK[(b ^ 0x20) & 0xFF]) : r;
    }

    private byte folded(byte b) {
        return ci && isAsciiLetter(b) ? (byte) (b | 0x20) : b;
    }

    private long foldMask(byte b) {
        return ci && isAsciiLetter(b) ? Bytes.broadcast((byte) 0x20) : 0;
    }

    private static boolean isAsciiLetter(byte b) {
        int c = b | 0x20;
        return c >= 'a' && c <= 'z';
    }

    /** Start of the leftmost literal occurrence inside {@code a[from, to)}, or -1. */
    int find(byte[] a, int from, int to) {
        int p = from;
        while (p < to) {
            int hit = lits.length <= MAX_PAIRED ? nextPair(a, p, to) : Bytes.indexOfTable(a, p, to, table);
            if (hit < 0) {
                return -1;
            }
            // A literal found here spans position hit, so no line before hit's holds one.
            int best = -1;
            for (int k = 0; k < lits.length; k++) {
                byte[] l = lits[k];
                int s = hit - lo[k];
                if (s >= from && s + l.length <= to && (best < 0 || s < best) && same(a, s, l)) {
                    best = s;
                }
            }
            if (best >= 0) {
                return best;
            }
            p = hit + 1;
        }
        return -1;
    }

    /**
     * The first position {@code i >= from} where some literal's two rare bytes sit at {@code i} and
     * {@code i + gap}, eight positions per step: far fewer false hits than one anchor byte (an 'S'
     * is everywhere in Java, an 'S' with an 'h' four bytes on much less so).
     */
    private int nextPair(byte[] a, int from, int to) {
        int n = lits.length;
        int i = from;
        if (vector != null) {
            int r = vector.next(a, i, to);
            if (r >= 0) {
                return r;
            }
            i = ~r;
        }
        for (; i + maxGap + 8 <= to; i += 8) {
            long w = Bytes.word(a, i);
            long z = 0;
            for (int k = 0; k < n; k++) {
                long x = Bytes.zeroLanes((w | loFold[k]) ^ loPat[k]);
                if (x != 0) {
                    z |= x & Bytes.zeroLanes((Bytes.word(a, i + gap[k]) | hiFold[k]) ^ hiPat[k]);
                }
            }
            if (z != 0) {
                return i + (Long.numberOfTrailingZeros(z) >>> 3);
            }
        }
        for (; i < to; i++) {
            for (int k = 0; k < n; k++) {
                int j = i + gap[k];
                if (j < to && (a[i] | (byte) loFold[k]) == (byte) loPat[k] && (a[j] | (byte) hiFold[k]) == (byte) hiPat[k]) {
                    return i;
                }
            }
        }
        return -1;
    }

    private boolean same(byte[] a, int s, byte[] l) {
        if (!ci) {
            return java.util.Arrays.equals(a, s, s + l.length, l, 0, l.length);
        }
        for (int j = 0; j < l.length; j++) {
            byte x = a[s + j];
            byte y = l[j];
            if (x != y && !(isAsciiLetter(y) && (x ^ 0x20) == y)) {
                return false;
            }
        }
        return true;
    }

    /** Lower rank = rarer in text and source code. Rough, from English letter and code symbol counts. */
    static final int[] RANK = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            RANK[b] = b >= 0x80 ? 40 : 10; // non-ASCII bytes and unlisted controls are rare in source
        }
        String common = " etaoinsrlcdhu\n(\tpm)=f.;g,_yb\"w{}vk/-:0x1*#'E2SjATIRCNqPLO[]D>";
        for (int k = 0; k < common.length(); k++) {
            RANK[common.charAt(k)] = 255 - k;
        }
        String mid = "3456789MFUBHGWVKYXJZQz<+!&|%$@?~^`\\\r";
        for (int k = 0; k < mid.length(); k++) {
            RANK[mid.charAt(k)] = 150 - k;
        }
    }
}
