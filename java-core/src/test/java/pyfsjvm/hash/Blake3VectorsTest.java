package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * The BLAKE3 test vectors (official layout: input byte i is i mod 251; hash, keyed_hash and
 * derive_key, 131-byte extended outputs), on every kernel this JVM has and fed in every way the
 * hasher can be fed. The vectors file was generated with the blake3 PyPI package (the reference
 * Rust implementation); its first and last rows equal the official test_vectors.json, which is
 * checked here against values copied from that file.
 */
class Blake3VectorsTest {
    static final String KEY = "whats the Elvish word for friend";
    static final String CONTEXT = "BLAKE3 2019-12-27 16:29:52 test vectors context";

    record Case(int len, String hash, String keyed, String derive) {}

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        try (InputStream in = Blake3VectorsTest.class.getResourceAsStream("blake3-vectors.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                out.add(new Case(Integer.parseInt(f[0]), f[1], f[2], f[3]));
            }
        }
        return out;
    }

    static List<Blake3Kernel> kernels() {
        List<Blake3Kernel> ks = new ArrayList<>();
        ks.add(Blake3Kernel.scalar());
        if (Blake3Kernel.get() != Blake3Kernel.scalar()) {
            ks.add(Blake3Kernel.get());
        }
        if (Blake3Kernel.get().getClass() != Blake3VectorKernel.class && Blake3Kernel.get() instanceof Blake3VectorKernel) {
            ks.add(new Blake3VectorKernel()); // JDK 22+ runs the segment kernel: test the gathering one too
        }
        Blake3Kernel segment = Blake3VectorKernel.byName("pyfsjvm.hash.Blake3SegmentKernel");
        if (segment != null && segment.getClass() != Blake3Kernel.get().getClass()) {
            ks.add(segment); // JDK 25+ runs the select kernel: test the one JDK 22-24 run too
        }
        return ks;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void vectorsFileMatchesTheOfficialOne() throws IOException {
        List<Case> cs = cases();
        assertEquals(0, cs.get(0).len());
        assertTrue(cs.get(0).hash().startsWith("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
                + "e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d"));
        Case big = cs.stream().filter(c -> c.len() == 102400).findFirst().orElseThrow();
        assertTrue(big.keyed().startsWith("1c35d1a5811083fd7119f5d5d1ba027b4d01c0c6c49fb6ff2cf75393ea5db4a7"));
        assertTrue(big.derive().startsWith("4652cff7a3f385a6103b5c260fc1593e13c778dbe608efb092fe7ee69df6e9c6"));
        assertTrue(cs.size() > 25);
    }

    @Test
    void everyModeOnEveryKernel() throws IOException {
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        for (Blake3Kernel k : kernels()) {
            for (Case c : cases()) {
                byte[] in = Blake3HasherTest.input(c.len());
                check(c.hash(), () -> Blake3Hasher.withKernel(k), in, k.name() + " hash " + c.len());
                check(c.keyed(), () -> Blake3Hasher.keyed(key, k), in, k.name() + " keyed " + c.len());
                check(c.derive(), () -> Blake3Hasher.deriveKey(CONTEXT, k), in, k.name() + " derive " + c.len());
            }
        }
    }

    /** One shot, extended output, and fed in pieces (random sizes; 1 MiB direct; random sizes direct). */
    private static void check(String expected, Supplier<Blake3Hasher> make, byte[] in, String what) {
        Blake3Hasher h = make.get();
        h.update(in, 0, in.length);
        assertEquals(expected, hex(h.digest(expected.length() / 2)), what);
        assertEquals(expected.substring(0, 64), hex(h.digest()), what + " (32 bytes)");
        Random rnd = new Random(in.length);
        for (int round = 0; round < 3; round++) {
            Blake3Hasher p = make.get();
            int off = 0;
            while (off < in.length) {
                int n = Math.min(in.length - off, round != 1 ? 1 + rnd.nextInt(5000) : 1 << 20);
                if (round >= 1) {
                    p.update(ByteBuffer.allocateDirect(n).put(in, off, n).flip());
                } else {
                    p.update(in, off, n);
                }
                off += n;
            }
            assertEquals(expected.substring(0, 64), hex(p.digest()), what + " in pieces, round " + round);
        }
    }

    @Test
    void kernelsAgreeOnLargeRandomInputs() {
        Random rnd = new Random(42);
        for (int len : new int[] {16 * 1024, 16 * 1024 + 1, 17 * 1024, 65 * 1024 - 1, 1 << 20, (1 << 20) + 1,
                3 * (1 << 20) + 12345}) {
            byte[] in = new byte[len];
            rnd.nextBytes(in);
            String want = null;
            for (Blake3Kernel k : kernels()) {
                Blake3Hasher h = Blake3Hasher.withKernel(k);
                h.update(in, 0, in.length);
                String got = hex(h.digest());
                if (want == null) {
                    want = got;
                }
                assertEquals(want, got, k.name() + " " + len);
            }
        }
    }

    @Test
    void lanesOnRunsOfChunksGiveTheSameSubtreeAsNeighbouringChunks() {
        Random rnd = new Random(11);
        for (Blake3Kernel k : kernels()) {
            int l = k.degree();
            for (int n : new int[] {1, 2, 4, l, 2 * l, 4 * l, 64 * l, 128 * l}) {
                for (int off : new int[] {0, 3}) { // word-aligned or not
                    byte[] in = new byte[Blake3.CHUNK_LEN * n + off];
                    rnd.nextBytes(in);
                    ByteBuffer direct = ByteBuffer.allocateDirect(in.length).order(ByteOrder.LITTLE_ENDIAN).put(in).flip();
                    ByteBuffer heap = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
                    long counter = (3L << 32) - 7L * n; // the high counter word changes within the runs
                    int[] chunks = new int[8 * n];
                    k.hashChunks(heap, off, n, Blake3.IV, counter, 0, chunks, 0);
                    int[] want = mergeToOne(chunks, n);
                    for (ByteBuffer src : new ByteBuffer[] {heap, direct}) {
                        int[] got = new int[8 * n + 16];
                        int m = k.hashRuns(src, off, n, Blake3.IV, counter, 0, got, 8);
                        String what = k.name() + ", " + n + " chunks at " + off + ", " + (src.isDirect() ? "direct" : "heap");
                        // per chunk, or one subtree per lane's run (as long as the kernel's runs, at most)
                        int runs = n >= 2 * l ? n / Math.min(n / l, k.runChunks()) : n;
                        assertTrue(m == n || m == runs, what + ": " + m + " subtrees");
                        assertArrayEquals(want, mergeToOne(Arrays.copyOfRange(got, 8, 8 + 8 * m), m), what);
                    }
                }
            }
        }
    }

    /** The CV of the subtree over {@code n} (a power of two) equal adjacent subtrees' CVs. */
    private static int[] mergeToOne(int[] cvs, int n) {
        int[] level = cvs.clone();
        for (; n > 1; n /= 2) {
            for (int i = 0; i < n / 2; i++) {
                int[] cv = Blake3.IV.clone();
                Blake3Kernel.compress(cv, level, 16 * i, 0, Blake3.BLOCK_LEN, Blake3.PARENT, null);
                System.arraycopy(cv, 0, level, 8 * i, 8);
            }
        }
        return Arrays.copyOf(level, 8);
    }

    @Test
    void subtreesHashedApartMergeToTheSameDigest() {
        Random rnd = new Random(7);
        byte[] in = new byte[(5 << 20) + 777];
        rnd.nextBytes(in);
        Blake3Hasher whole = new Blake3Hasher();
        whole.update(in, 0, in.length);
        byte[] want = whole.digest();
        for (int seg : new int[] {2048, 64 * 1024, 1 << 20}) {
            Blake3Hasher h = new Blake3Hasher();
            ByteBuffer buf = ByteBuffer.wrap(in);
            int k = (in.length - 1) / seg;
            int[] cv = new int[8];
            for (int i = 0; i < k; i++) {
                new Blake3Hasher().subtreeCv(buf, i * seg, seg, (long) i * seg / 1024, cv);
                h.pushSubtree(cv, (long) i * seg / 1024, seg / 1024);
            }
            h.update(in, k * seg, in.length - k * seg);
            assertEquals(hex(want), hex(h.digest()), "segments of " + seg);
        }
    }
}
