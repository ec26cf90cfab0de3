package pyfsjvm.diff;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiffSyncTest {
    @TempDir
    Path tmp;

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The first (string) column of a packed batch. */
    private static List<String> strings(byte[] batch) {
        ByteBuffer bb = ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.getInt(0);
        int ncols = bb.getInt(4);
        int len = bb.getInt(12);
        int start = 8 + 8 * ncols;
        List<String> out = new ArrayList<>();
        int s = start;
        for (int i = start; i < start + len && out.size() < rows; i++) {
            if (batch[i] == 0) {
                out.add(new String(batch, s, i - s, StandardCharsets.UTF_8));
                s = i + 1;
            }
        }
        return out;
    }

    @Test
    void diffSortsAndPairsMoves() throws Exception {
        Path s = Files.createDirectories(tmp.resolve("s"));
        Path t = Files.createDirectories(tmp.resolve("t/sub"));
        Files.writeString(s.resolve("b"), "same");
        Files.writeString(tmp.resolve("t/b"), "same");
        Files.writeString(s.resolve("moved"), "content");
        Files.writeString(t.resolve("here"), "content");
        Files.writeString(s.resolve("a"), "gone");
        DiffTask task = DiffApi.diff(b(s), b(tmp.resolve("t")), "blake3", true, false, null, -1, true, 2);
        while (task.await(1000) != DiffTask.DONE) {
            Thread.onSpinWait();
        }
        byte[][] r = task.result();
        assertEquals(List.of(), strings(r[0]));
        assertEquals(List.of("a"), strings(r[1]));
        assertEquals(List.of("b"), strings(r[3]));
        assertEquals(List.of("moved"), strings(r[4]));
        assertEquals(List.of("walking_source", "walking_target", "comparing"), List.of(task.stages()));
    }

    @Test
    void dryRunWritesNothing() throws Exception {
        Path s = Files.createDirectories(tmp.resolve("s/empty"));
        Files.writeString(tmp.resolve("s/f"), "x");
        Path t = tmp.resolve("t");
        SyncTask task = DiffApi.sync(b(tmp.resolve("s")), b(t), "blake3", true, false, null, -1, true, true, false,
                false, 2);
        while (task.await(1000) != SyncTask.DONE) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("f"), strings(task.result()[0]));
        assertFalse(Files.exists(t));
        SyncTask real = DiffApi.sync(b(tmp.resolve("s")), b(t), "blake3", true, false, null, -1, false, true, false,
                false, 2);
        while (real.await(1000) != SyncTask.DONE) {
            Thread.onSpinWait();
        }
        assertTrue(Files.isDirectory(t.resolve("empty")));
        assertEquals("x", Files.readString(t.resolve("f")));
        assertTrue(s.toFile().exists());
    }
}
