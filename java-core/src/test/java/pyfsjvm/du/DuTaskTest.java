package pyfsjvm.du;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DuTaskTest {
    @TempDir
    Path tmp;

    @Test
    void sumsFilesUpTheTreeCountingHardLinksOnce() throws Exception {
        Files.createDirectories(tmp.resolve("a/b"));
        Files.createDirectories(tmp.resolve("empty"));
        Files.write(tmp.resolve("a/b/f"), new byte[1000]);
        Files.createLink(tmp.resolve("a/f-link"), tmp.resolve("a/b/f"));
        Files.write(tmp.resolve("top"), new byte[10]);
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        Task<byte[][]> t = DuApi.start(root, -1, false, false, null, 2, Long.MAX_VALUE);
        while (t.await(1000) != Task.DONE) {
            Thread.onSpinWait();
        }
        ByteBuffer b = ByteBuffer.wrap(t.result()[0]).order(ByteOrder.LITTLE_ENDIAN);
        int rows = b.getInt(0);
        assertEquals(5, rows); // root, a, empty, a/b, and the depth-1 file "top"
        // columns: s q i B q(files) q(fileBytes) ...; find the "files" column of row 0 (the root)
        int ncols = b.getInt(4);
        int pos = 8 + 8 * ncols;
        for (int c = 0; c < 4; c++) {
            pos += (b.getInt(8 + 8 * c + 4) + 7) & ~7;
        }
        assertEquals(2, b.getLong(pos));          // files: f (once) and top
        assertEquals(1010, b.getLong(pos + 8 * rows)); // their bytes
    }
}
