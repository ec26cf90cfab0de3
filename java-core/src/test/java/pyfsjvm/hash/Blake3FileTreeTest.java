package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;

/** Tree-parallel file hashing equals the sequential digest; a file shorter than expected fails. */
class Blake3FileTreeTest {
    @Test
    void anyThreadCountGivesTheSequentialDigest(@TempDir Path dir) throws Exception {
        Random rnd = new Random(3);
        int seg = Blake3FileTree.SEGMENT;
        for (int size : new int[] {0, 1, seg - 1, seg, seg + 1, 2 * seg, 3 * seg + 1025, 5 * seg + 7}) {
            byte[] data = new byte[size];
            rnd.nextBytes(data);
            Path f = Files.write(dir.resolve("f" + size), data);
            Blake3Hasher h = new Blake3Hasher();
            h.update(data, 0, data.length);
            byte[] want = h.digest();
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                for (int threads : new int[] {1, 2, 3, 8}) {
                    assertArrayEquals(want, Blake3FileTree.hash(ch, size, threads, new Cancel(), null),
                            size + " bytes on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aFileThatShrankIsAnErrorForThatFileOnly(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("short"), new byte[3 * Blake3FileTree.SEGMENT]);
        Cancel op = new Cancel();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            // as if the file had been truncated after its size was read
            FsException e = assertThrows(FsException.class,
                    () -> Blake3FileTree.hash(ch, 5L * Blake3FileTree.SEGMENT, 3, op, "short".getBytes()));
            assertEquals("file shrank while being hashed", e.reason());
        }
        op.check(); // the operation itself was not cancelled by the failure
    }
}
