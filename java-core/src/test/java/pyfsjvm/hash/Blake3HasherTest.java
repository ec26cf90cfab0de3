package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import pyfsjvm.platform.RawPaths;

/** BLAKE3 against digests from the reference implementation (the blake3 PyPI package, Rust). */
class Blake3HasherTest {
    /** The input of the official test vectors: byte i is i mod 251. */
    static byte[] input(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @ParameterizedTest
    @CsvSource({
        "0, af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "1, 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
        "63, e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b",
        "64, 4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98",
        "65, de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee",
        "1023, 10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
        "1024, 42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
        "1025, d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
        "2048, e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
        "2049, 5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030",
        "3072, b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2",
        "3073, 7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3",
        "4096, 015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969",
        "5120, 9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833",
        "8192, aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63",
        "31744, 62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47",
        "102400, bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
    })
    void hashMode(int length, String expected) {
        byte[] in = input(length);
        Blake3Hasher h = new Blake3Hasher();
        h.update(in, 0, in.length);
        assertEquals(expected, hex(h.digest()));
        // fed in awkward pieces, through a direct buffer: same digest
        for (int piece : new int[] {1, 7, 64, 100, 1024, 4097}) {
            for (int off = 0; off < in.length; off += piece) {
                h.update(ByteBuffer.allocateDirect(Math.min(piece, in.length - off))
                        .put(in, off, Math.min(piece, in.length - off)).flip());
            }
            assertEquals(expected, hex(h.digest()), "piece " + piece);
        }
    }

    @Test
    void keyedDeriveAndExtendedOutput() {
        byte[] in = input(1025);
        Blake3Hasher keyed = Blake3Hasher.keyed("whats the Elvish word for friend".getBytes(StandardCharsets.US_ASCII));
        keyed.update(in, 0, in.length);
        assertEquals("357dc55de0c7e382c900fd6e320acc04146be01db6a8ce7210b7189bd664ea69", hex(keyed.digest()));

        Blake3Hasher derive = Blake3Hasher.deriveKey("BLAKE3 2019-12-27 16:29:52 test vectors context");
        derive.update(in, 0, in.length);
        assertEquals("effaa245f065fbf82ac186839a249707c3bddf6d3fdda22d1b95a3c970379bcb", hex(derive.digest()));

        Blake3Hasher xof = new Blake3Hasher();
        xof.update("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);
        assertEquals("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d851fb250ae7393f5d02813b65d521a0d"
                + "492d9ba09cf7ce7f4cffd900f23374bf0bc08a1fb0b38ed276181ccbd9f7b7edbddf9f86404ad7929605f6ffa3fb1ac87983"
                + "105f013384f2f11d38879c985d47003804b905f0c38975e28d36804bb60d8c303653", hex(xof.digest(131)));
    }

    @Test
    void registryAndFiles(@TempDir Path dir) throws Exception {
        assertEquals("blake3", HashAlgorithm.names().get(0));
        assertEquals(32, HashAlgorithm.of("SHA256").digestLength());
        assertThrows(IllegalArgumentException.class, () -> HashAlgorithm.of("crc99"));

        Path f = dir.resolve("f");
        Files.write(f, input(102400));
        FileHasher fh = new FileHasher(HashAlgorithm.of("blake3"), 4096, null);
        assertEquals("bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085", hex(fh.hashFile(RawPaths.bytes(f))));
        Blake3Hasher part = new Blake3Hasher();
        part.update(input(102400), 1000, 5000);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
            assertArrayEquals(part.digest(), fh.hashRange(ch, 1000, 5000, RawPaths.bytes(f)));
        }
        FileHasher sha = new FileHasher(HashAlgorithm.of("sha256"), 4096, null);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                hex(sha.hashFile(RawPaths.bytes(
                        Files.write(dir.resolve("abc"), "abc".getBytes(StandardCharsets.US_ASCII))))));
    }
}
