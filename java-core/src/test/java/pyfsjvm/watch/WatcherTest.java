package pyfsjvm.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watcher on a real directory, with whichever source this JDK gets (inotify through FFM on
 * JDK >= 22, WatchService on 17); the Python tests cover the rest through the public API.
 */
class WatcherTest {
    record Change(String path, byte kind, boolean dir) {}

    /** Decodes one batch (layout {@link Watcher#LAYOUT}): paths and kinds are all we check here. */
    static List<Change> decode(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.getInt(0);
        int ncols = bb.getInt(4);
        int[] len = new int[ncols];
        int[] start = new int[ncols];
        int pos = 8 + 8 * ncols;
        for (int c = 0; c < ncols; c++) {
            len[c] = bb.getInt(8 + 8 * c + 4);
            start[c] = pos;
            pos += (len[c] + 7) & ~7;
        }
        List<Change> out = new ArrayList<>();
        int p = start[0];
        for (int r = 0; r < rows; r++) {
            int e = p;
            while (b[e] != 0) {
                e++;
            }
            out.add(new Change(new String(b, p, e - p, StandardCharsets.UTF_8), b[start[1] + r], b[start[2] + r] == 1));
            p = e + 1;
        }
        return out;
    }

    private static List<Change> until(Watcher w, String path, byte kind) throws Exception {
        List<Change> got = new ArrayList<>();
        long end = System.nanoTime() + 15_000_000_000L;
        while (got.stream().noneMatch(c -> c.path.equals(path) && c.kind == kind)) {
            assertTrue(System.nanoTime() < end, "no " + kind + " for " + path + " in " + got);
            byte[] b = w.poll(100);
            if (b != null && b.length > 0) {
                got.addAll(decode(b));
            }
        }
        return got;
    }

    @Test
    void reportsChangesInNewDirectoriesAndEndsWhenClosed(@TempDir Path dir) throws Exception {
        byte[] root = dir.toString().getBytes(StandardCharsets.UTF_8);
        Watcher w = WatchApi.create(root, false, true, 10, new String[] {"*.tmp"}, false);
        Task<Void> t = WatchApi.start(w);
        while (t.await(100) != Task.DONE) {
            Thread.onSpinWait();
        }
        t.result();
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/f.txt"), "x");
        Files.writeString(dir.resolve("a/b/skip.tmp"), "x");
        List<Change> got = until(w, dir.resolve("a/b/f.txt").toString(), Watcher.CREATED);
        assertTrue(got.contains(new Change(dir.resolve("a").toString(), Watcher.CREATED, true)), got.toString());
        assertTrue(got.stream().noneMatch(c -> c.path.endsWith(".tmp")), got.toString());
        Files.delete(dir.resolve("a/b/f.txt"));
        until(w, dir.resolve("a/b/f.txt").toString(), Watcher.DELETED);
        w.close();
        assertSame(Watcher.END, w.poll(-1)); // returns at once, without waiting
        assertTrue(w.isEnded());
    }

    @Test
    void theRootGoingAwayIsReportedThenTheWatcherEnds(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("r"));
        Watcher w = WatchApi.create(dir.toString().getBytes(StandardCharsets.UTF_8), false, true, 10, new String[0], false);
        Task<Void> t = WatchApi.start(w);
        while (t.await(100) != Task.DONE) {
            Thread.onSpinWait();
        }
        Files.delete(dir);
        until(w, dir.toString(), Watcher.DELETED);
        long end = System.nanoTime() + 15_000_000_000L;
        byte[] b;
        while ((b = w.poll(100)) == null || b.length > 0) {
            assertTrue(System.nanoTime() < end);
        }
        assertArrayEquals(Watcher.END, b);
        assertEquals(true, w.isEnded());
    }
}
