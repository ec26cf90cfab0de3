package pyfsjvm.search;

/**
 * Finds the next place where one of the pattern's required literals occurs, so the searcher only
 * runs the regex on lines that can match (the idea behind ripgrep's literal optimisations).
 *
 * <p>For each literal one "anchor" byte is chosen, the one rarest in typical text and source code
 * ({@link #RANK}); the buffer is scanned for the anchor bytes eight at a time ({@link Bytes}) and
 * each hit is verified against the whole literal. Case-insensitive literals (ASCII only, see
 * {@link RustRegex.Literals#asciiFoldSafe}) anchor on both cases of their byte.
 *
 * <p>{@link #find} returns the leftmost occurrence of any literal: no line before it can match.
 */
final class Prefilter {
    private final byte[][] lits;
    private final int[] anchorOff;
    private final boolean ci;
    private final long[] pats;
    private final boolean[] table = new boolean[256];
    private final byte single1;
    private final byte single2;
    private final int mode; // 1: one byte, 2: two bytes, 3: up to 4 bytes SWAR, 4: table

    Prefilter(byte[][] literals, boolean ignoreCase) {
        this.lits = literals;
        this.ci = ignoreCase;
        this.anchorOff = new int[literals.length];
        java.util.LinkedHashSet<Byte> anchors = new java.util.LinkedHashSet<>();
        for (int k = 0; k < literals.length; k++) {
            byte[] l = literals[k];
            int best = 0;
            for (int j = 1; j < l.length; j++) {
                if (RANK[l[j] & 0xFF] < RANK[l[best] & 0xFF]) {
                    best = j;
                }
            }
            anchorOff[k] = best;
            byte b = l[best];
            anchors.add(b);
            table[b & 0xFF] = true;
            if (ci && isAsciiLetter(b)) {
                byte o = (byte) (b ^ 0x20);
                anchors.add(o);
                table[o & 0xFF] = true;
            }
        }
        Byte[] a = anchors.toArray(new Byte[0]);
        pats = new long[Math.min(a.length, 4)];
        for (int k = 0; k < pats.length; k++) {
            pats[k] = Bytes.broadcast(a[k]);
        }
        single1 = a[0];
        single2 = a.length > 1 ? a[1] : a[0];
        mode = a.length == 1 ? 1 : a.length == 2 ? 2 : a.length <= 4 ? 3 : 4;
    }

    private static boolean isAsciiLetter(byte b) {
        int c = b | 0x20;
        return c >= 'a' && c <= 'z';
    }

    /** Start of the leftmost literal occurrence inside {@code a[from, to)}, or -1. */
    int find(byte[] a, int from, int to) {
        int p = from;
        while (p < to) {
            int hit = switch (mode) {
                case 1 -> Bytes.indexOf(a, p, to, single1);
                case 2 -> Bytes.indexOfEither(a, p, to, single1, single2);
                case 3 -> Bytes.indexOfAny(a, p, to, pats, table);
                default -> Bytes.indexOfTable(a, p, to, table);
            };
            if (hit < 0) {
                return -1;
            }
            int best = -1;
            for (int k = 0; k < lits.length; k++) {
                byte[] l = lits[k];
                int s = hit - anchorOff[k];
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
