package pyfsjvm.dedup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DedupTaskTest {
    @TempDir
    Path tmp;

    private static int rows(byte[] batch) {
        return ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    @Test
    void largeSizeGroupsGiveTheSameResultWithoutTheArena() throws Exception {
        int saved = DedupTask.arenaMax;
        DedupTask.arenaMax = 0;
        try {
            groupsByContentNotByHeadAndTail();
        } finally {
            DedupTask.arenaMax = saved;
        }
    }

    @Test
    void groupsByContentNotByHeadAndTail() throws Exception {
        byte[] big = new byte[100_000];
        new java.util.Random(1).nextBytes(big);
        Files.write(tmp.resolve("a"), big);
        Files.write(tmp.resolve("b"), big);
        big[50_000] ^= 1; // same size, head and tail: only the full hash tells
        Files.write(tmp.resolve("c"), big);
        Files.writeString(tmp.resolve(".hidden"), "tiny");
        Files.writeString(tmp.resolve("tiny"), "tiny");
        Files.createLink(tmp.resolve("tiny-link"), tmp.resolve("tiny"));
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        Task<byte[][]> t = DedupApi.start(new byte[][] {root, root}, true, 1, "sha256", 4096, 2);
        while (t.await(1000) != Task.DONE) {
            Thread.onSpinWait();
        }
        byte[][] r = t.result();
        assertEquals(2, rows(r[0]));  // {a, b} and {.hidden, tiny + tiny-link}
        assertEquals(5, rows(r[1]));  // the same root given twice adds nothing
        assertEquals(0, rows(r[2]));
        long[] progress = ((DedupTask) t).drainProgress();
        assertEquals(21, progress.length);
        assertArrayEquals(new long[] {3, 5, 6}, java.util.Arrays.copyOfRange(progress, 18, 21));
    }

    @Test
    void readRangesIsTheSameOnEveryPlatformLayer() throws Exception {
        byte[] data = new byte[200_000];
        new java.util.Random(2).nextBytes(data);
        Files.write(tmp.resolve("f"), data);
        byte[] raw = tmp.resolve("f").toString().getBytes(StandardCharsets.UTF_8);
        for (pyfsjvm.platform.Platform p : new pyfsjvm.platform.Platform[] {
                new pyfsjvm.platform.NioPlatform(), pyfsjvm.platform.Platform.get()}) {
            byte[] dst = new byte[4096 + 100_000 + 50];
            int n = p.readRanges(raw, new long[] {0, 90_000, 199_990}, new int[] {4096, 100_000, 50}, dst);
            assertEquals(4096 + 100_000 + 10, n, p.name()); // the last range stops at end of file
            assertArrayEquals(java.util.Arrays.copyOf(data, 4096), java.util.Arrays.copyOf(dst, 4096));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 90_000, 190_000),
                    java.util.Arrays.copyOfRange(dst, 4096, 104_096));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 199_990, 200_000),
                    java.util.Arrays.copyOfRange(dst, 104_096, 104_106));
            pyfsjvm.bridge.FsException e = org.junit.jupiter.api.Assertions.assertThrows(
                    pyfsjvm.bridge.FsException.class,
                    () -> p.readRanges((tmp + "/missing").getBytes(StandardCharsets.UTF_8), new long[] {0},
                            new int[] {1}, new byte[1]));
            assertEquals("ENOENT", e.errno());
        }
    }

    @Test
    void filesThatChangeOrVanishDuringTheScanAreLeftOutAndReported() throws Exception {
        byte[] big = new byte[50_000];
        for (String n : new String[] {"a", "b", "c", "d", "small1", "small2", "small3"}) {
            Files.write(tmp.resolve(n), n.startsWith("small") ? new byte[10] : big);
        }
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        DedupTask t = new DedupTask(new byte[][] {root}, true, 1, pyfsjvm.hash.HashAlgorithm.of("blake3"), 4096, 2, 2);
        t.afterCollect = () -> {
            try {
                Files.delete(tmp.resolve("a"));                          // vanished
                Files.write(tmp.resolve("b"), new byte[50_000]);          // rewritten in place (same size)
                Files.setLastModifiedTime(tmp.resolve("b"), java.nio.file.attribute.FileTime.fromMillis(1000));
                Files.write(tmp.resolve("small1"), new byte[11]);         // grew
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        t.start();
        while (t.await(1000) != Task.DONE) {
            Thread.onSpinWait();
        }
        byte[][] r = t.result();
        assertEquals(2, rows(r[0]));  // {c, d} and {small2, small3}
        assertEquals(4, rows(r[1]));
        assertEquals(3, rows(r[2]));  // a (ENOENT), b and small1 (changed)
    }
}
