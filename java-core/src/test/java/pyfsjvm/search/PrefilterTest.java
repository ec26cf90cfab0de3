package pyfsjvm.search;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The prefilter finds exactly the leftmost literal occurrence a naive scan finds. */
class PrefilterTest {
    private static byte[][] lits(String... s) {
        byte[][] r = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            r[i] = s[i].getBytes(StandardCharsets.UTF_8);
        }
        return r;
    }

    /** Leftmost start of any literal in a[from, to), by brute force. */
    private static int naive(byte[][] lits, boolean ci, byte[] a, int from, int to) {
        for (int s = from; s < to; s++) {
            for (byte[] l : lits) {
                if (s + l.length <= to && matches(a, s, l, ci)) {
                    return s;
                }
            }
        }
        return -1;
    }

    private static boolean matches(byte[] a, int s, byte[] l, boolean ci) {
        for (int j = 0; j < l.length; j++) {
            int x = a[s + j] & 0xFF;
            int y = l[j] & 0xFF;
            boolean letter = (y | 0x20) >= 'a' && (y | 0x20) <= 'z';
            if (x != y && !(ci && letter && (x ^ 0x20) == y)) {
                return false;
            }
        }
        return true;
    }

    private static void agree(byte[][] lits, boolean ci, byte[] text) {
        agree(new Prefilter(lits, ci, true), lits, ci, text);
        agree(new Prefilter(lits, ci, false), lits, ci, text);
    }

    private static void agree(Prefilter p, byte[][] lits, boolean ci, byte[] text) {
        // every start offset and a few end offsets, so the tail loop and the word loop both run
        for (int f = 0; f < text.length; f += 1 + f / 7) {
            int from = f;
            for (int to : new int[] {text.length, text.length - 1, Math.min(text.length, from + 9)}) {
                if (to >= from) {
                    assertEquals(naive(lits, ci, text, from, to), p.find(text, from, to),
                            () -> "from " + from + " to " + to + " in " + new String(text, StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    private static byte[] random(Random r, int n, String alphabet) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    @Test
    void theVectorScanIsUsedWhereTheIncubatorModuleIsPresent() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(module, new Prefilter(lits("Lock", "Semaphore"), false).simd());
        assertEquals(false, new Prefilter(lits("a", "b", "c", "d", "e"), false).simd()); // table mode
    }

    @Test
    void alternationOfLiteralsInJavaLikeText() {
        byte[] text = ("String s = new Semaphore(1); Lock l; LockSupport.park(); CountDownLatch c;\n"
                + "Set<String> Sem = Lockx; Count Down Latch; CountDownLatc CountDownLatch\n").getBytes(StandardCharsets.UTF_8);
        agree(lits("Lock", "Semaphore", "CountDownLatch"), false, text);
        agree(lits("lock", "SEMAPHORE"), true, text);
    }

    @Test
    void randomTextOverASmallAlphabetFindsEveryOccurrence() {
        Random r = new Random(42);
        String[][] sets = {{"ab"}, {"a"}, {"abc", "ca"}, {"aab", "b", "cab", "bb"}, {"abcab", "ba", "c", "aa", "bc"}};
        for (String[] set : sets) {
            for (boolean ci : new boolean[] {false, true}) {
                for (int round = 0; round < 30; round++) {
                    agree(lits(set), ci, random(r, 5 + r.nextInt(round < 20 ? 60 : 400), ci ? "abcABC\n" : "abc\n"));
                }
            }
        }
    }

    @Test
    void sparseHitsInLongTextAcrossRegisterBoundaries() {
        Random r = new Random(7);
        for (int round = 0; round < 20; round++) {
            byte[] text = random(r, 1000 + r.nextInt(3000), "xyz \n");
            for (int j = 0; j < 3; j++) { // plant a few literals anywhere, some straddling 32/64-byte blocks
                byte[] l = (j == 0 ? "Semaphore" : j == 1 ? "LockFree" : "CountDownLatch").getBytes(StandardCharsets.UTF_8);
                int at = r.nextInt(text.length - l.length);
                System.arraycopy(l, 0, text, at, l.length);
            }
            agree(lits("Lock", "Semaphore", "CountDownLatch"), false, text);
            agree(lits("semaphore", "lockfree"), true, text);
        }
    }

    @Test
    void nonLettersAreNotCaseFolded() {
        // '@' | 0x20 is '`': folding must only apply to letters
        agree(lits("`x"), true, "@x @X `X".getBytes(StandardCharsets.UTF_8));
        agree(lits("a@"), true, "a` A@".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repeatedBytesAndLongGaps() {
        agree(lits("aaaa", "zzzzzzzzzzzzzzzzzzzzq"), false,
                "aaa aaaa zzzzzzzzzzzzzzzzzzzzzq zzzz".getBytes(StandardCharsets.UTF_8));
        agree(lits("xy"), false, new byte[0]);
    }
}
