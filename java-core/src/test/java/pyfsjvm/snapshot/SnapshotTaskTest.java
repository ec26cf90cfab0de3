package pyfsjvm.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SnapshotTaskTest {
    @TempDir
    Path tmp;

    private static int rows(byte[] batch) {
        return ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    private static byte[][] run(Task<byte[][]> t) throws Exception {
        while (t.await(1000) != Task.DONE) {
            Thread.onSpinWait();
        }
        return t.result();
    }

    @Test
    void hashesEveryFileOrOnlyTheNamedOnes() throws Exception {
        Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(tmp.resolve("a.txt"), "hello");
        Files.writeString(tmp.resolve("sub/b.txt"), "b");
        Files.writeString(tmp.resolve("sub/c.log"), "c");
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        byte[][] all = run(SnapshotApi.start(root, "sha256", false, null, -1, false, 2, null));
        assertEquals(3, rows(all[0]));
        assertEquals(0, rows(all[1]));
        byte[][] txt = run(SnapshotApi.start(root, "blake3", false, "*.txt", -1, false, 1,
                "a.txt\0gone.txt\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, rows(txt[0])); // a.txt (hashed) and sub/b.txt (listed, not hashed)
    }
}
