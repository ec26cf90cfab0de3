package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertTrue(MappedFile.available(), "JDK 22+ maps");
            try (MappedFile map = MappedFile.map(ch, SEG, SEG)) {
                assertNotNull(map);
                byte[] got = new byte[SEG];
                map.buffer().get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(want, SEG, 2 * SEG), got);
            }
            assertNull(MappedFile.map(ch, 2L * SEG, SEG + 6L), "a file shorter than asked is read, not mapped");
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
        Path f = randomFile("t", 4 * SEG);
        byte[] data = Files.readAllBytes(f);
        Blake3Hasher h = new Blake3Hasher();
        int[] cv = new int[8];
        // cold (the first calls run the kernel interpreted and from C1) and once C2 has compiled it
        for (int round = 0; round < 2; round++) {
            Files.write(f, data); // whole again
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                 MappedFile map = MappedFile.map(ch, 2L * SEG, SEG)) {
                assertNotNull(map);
                if (round == 1) {
                    for (int i = 0; i < 200; i++) {
                        Blake3FileTree.mappedCv(ch, h, map.buffer(), 0, 2, cv, null);
                    }
                }
                try (FileChannel w = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    w.truncate(SEG + 100); // the mapped segment's pages are gone
                }
                FsException e = assertThrows(FsException.class,
                        () -> Blake3FileTree.mappedCv(ch, h, map.buffer(), 0, 2, cv, "t".getBytes()), "round " + round);
                assertEquals("file shrank while being hashed", e.reason());
            }
        }
    }

    @Test
    void aFileTruncatedWhileHashedIsAnErrorForThatFileOnly() throws Exception {
        Path f = randomFile("w", 6 * SEG);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            try (FileChannel w = FileChannel.open(f, StandardOpenOption.WRITE)) {
                w.truncate(3L * SEG + 100); // after its size was read: later segments cannot be mapped
            }
            Cancel op = new Cancel();
            for (int threads : new int[] {1, 3}) {
                FsException e = assertThrows(FsException.class,
                        () -> Blake3FileTree.hash(ch, 6L * SEG, threads, op, "w".getBytes()));
                assertEquals("file shrank while being hashed", e.reason());
            }
            op.check(); // the operation goes on with its other files
        }
    }
}
