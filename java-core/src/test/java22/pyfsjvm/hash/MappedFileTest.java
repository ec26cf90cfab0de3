package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;

/**
 * Big files are hashed from a mapping on JDK 22+: it reads the file, is unmapped when closed, and a
 * file truncated under it is an error for that file (SIGBUS caught), not a crashed JVM.
 */
class MappedFileTest {
    private static final int SEG = Blake3FileTree.SEGMENT;

    @TempDir
    Path dir;

    private Path randomFile(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void aMappingReadsTheFileAndAShorterFileIsNotMapped() throws Exception {
        Path f = randomFile("m", 3 * SEG + 5);
        byte[] want = Files.readAllBytes(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            try (MappedFile map = MappedFile.map(ch, want.length)) {
                assertNotNull(map, "JDK 22+ maps");
                ByteBuffer b = map.slice(SEG + 1, SEG);
                byte[] got = new byte[SEG];
                b.get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(want, SEG + 1, 2 * SEG + 1), got);
            }
            assertNull(MappedFile.map(ch, want.length + 1L), "a file shorter than asked is read, not mapped");
        }
    }

    @Test
    void mappedAndReadDigestsAreTheSequentialOne() throws Exception {
        for (int size : new int[] {(int) Blake3FileTree.MIN_MAPPED, (int) Blake3FileTree.MIN_MAPPED + 1,
                6 * SEG + 1025}) {
            Path f = randomFile("d" + size, size);
            byte[] data = Files.readAllBytes(f);
            Blake3Hasher h = new Blake3Hasher();
            h.update(data, 0, data.length);
            byte[] want = h.digest();
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                for (int threads : new int[] {1, 2, 5}) {
                    assertArrayEquals(want, Blake3FileTree.hash(ch, size, threads, new Cancel(), null),
                            size + " bytes on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aFileTruncatedWhileMappedIsAnErrorForThatFile() throws Exception {
        int segments = 6;
        Path f = randomFile("t", segments * SEG);
        byte[] data = Files.readAllBytes(f);
        // cold (first calls: interpreted and C1 code touch the lost pages) and after a warm-up of
        // the compiled kernel; one thread and several
        for (int round = 0; round < 2; round++) {
            for (int threads : new int[] {1, 3}) {
                Files.write(f, data); // whole again
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                     MappedFile map = MappedFile.map(ch, (long) segments * SEG)) {
                    assertNotNull(map);
                    int[] cvs = new int[8 * segments];
                    if (round == 1) {
                        for (int i = 0; i < 30; i++) {
                            Blake3FileTree.hashSegments(ch, map, segments, cvs, threads, new Cancel(), null);
                        }
                    }
                    try (FileChannel w = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        w.truncate(SEG + 100); // every later segment's pages are gone from the mapping
                    }
                    Cancel op = new Cancel();
                    FsException e = assertThrows(FsException.class, () -> Blake3FileTree.hashSegments(ch, map,
                            segments, cvs, threads, op, "t".getBytes()), "round " + round + ", " + threads + " threads");
                    assertEquals("file shrank while being hashed", e.reason());
                    op.check(); // the operation goes on with its other files
                }
            }
        }
    }
}
