package pyfsjvm.copy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] b(Path p) {
        return b(p.toString());
    }

    @Test
    void pathBytes() {
        assertArrayEquals(b("a/b"), PathBytes.join(b("a"), b("b")));
        assertArrayEquals(b("/b"), PathBytes.join(b("/"), b("b")));
        assertArrayEquals(b("a"), PathBytes.join(b("a"), b("")));
        assertArrayEquals(b("b"), PathBytes.basename(b("a/b/")));
        assertArrayEquals(b(""), PathBytes.basename(b("..")));
        assertArrayEquals(b("a"), PathBytes.parent(b("a//b")));
        assertArrayEquals(b("."), PathBytes.parent(b("b")));
        assertArrayEquals(b("/"), PathBytes.parent(b("/b")));
        assertTrue(PathBytes.isWithin(b("/a/b"), b("/a")));
        assertFalse(PathBytes.isWithin(b("/ab"), b("/a")));
        assertTrue(PathBytes.sameParent(b("/d/x"), b("/d/yy")));
        assertTrue(PathBytes.sameParent(b("x"), b("y")));
        assertFalse(PathBytes.sameParent(b("/d/x"), b("/e/x")));
        assertFalse(PathBytes.sameParent(b("/d/x"), b("/d/e/x")));
        assertFalse(PathBytes.sameParent(b("/dd/x"), b("/d/xx")));
        byte[] t = PathBytes.tempSibling(b("/d/" + "n".repeat(250)));
        String name = new String(t, StandardCharsets.UTF_8).substring(3);
        assertTrue(name.startsWith(".n") && name.endsWith(".pyfsjvm-tmp") && name.length() <= 255, name);
    }

    @Test
    void copiesAtomicallyAndCountsBytes() throws Exception {
        Path src = Files.write(tmp.resolve("s"), new byte[1 << 20]);
        AtomicLong bytes = new AtomicLong();
        FileCopier c = new FileCopier(true, true, new Cancel(), bytes);
        assertEquals(1 << 20, c.copyFile(b(src), b(tmp.resolve("d")), true));
        assertEquals(1 << 20, bytes.get());
        assertEquals(Files.getLastModifiedTime(src), Files.getLastModifiedTime(tmp.resolve("d")));
        FsException e = assertThrows(FsException.class, () -> c.copyFile(b(src), b(tmp.resolve("d")), true));
        assertEquals("EEXIST", e.errno());
        assertEquals(2, list(tmp)); // no temporary file left behind
    }

    @Test
    void cancelledCopyRemovesItsTemporaryFile() throws Exception {
        Path src = Files.write(tmp.resolve("s"), new byte[1000]);
        Cancel cancel = new Cancel();
        cancel.cancel();
        FileCopier c = new FileCopier(false, false, cancel, null);
        assertThrows(Cancel.CancelledException.class, () -> c.copyFile(b(src), b(tmp.resolve("d")), false));
        assertEquals(1, list(tmp));
    }

    @Test
    void planFindsConflictsBeforeWriting() throws Exception {
        Path s = Files.createDirectories(tmp.resolve("s/x"));
        Files.writeString(s.resolve("f"), "f");
        Files.writeString(tmp.resolve("s/.h"), "h");
        Files.createDirectories(tmp.resolve("d/s/x"));
        Files.writeString(tmp.resolve("d/s/x/f"), "mine");
        Planner p = new Planner(false, false, new Cancel());
        FsException e = assertThrows(FsException.class, () -> p.addSource(b(tmp.resolve("s")), b(tmp.resolve("d/s"))));
        assertEquals("EEXIST", e.errno());
        assertArrayEquals(b(tmp.resolve("d/s/x/f")), e.path());

        Planner fresh = new Planner(false, false, new Cancel());
        fresh.addSource(b(tmp.resolve("s")), b(tmp.resolve("new")));
        assertEquals(2, fresh.plan.totalFiles()); // the hidden file too
        for (int i = 0; i < fresh.plan.count(); i++) {
            assertTrue(fresh.plan.fresh[i]);
        }
    }

    @Test
    void sourceVanishingAfterPlanningLeavesNoNewTree() throws Exception {
        Path s = vanishingSource();
        FsException x = assertThrows(FsException.class, () -> engine(s, tmp.resolve("d")).run());
        assertEquals("ENOENT", x.errno());
        assertArrayEquals(b(s.resolve("fk")), x.path());
        assertFalse(Files.exists(tmp.resolve("d"))); // built under a hidden name, removed, never published
        try (Stream<Path> all = Files.walk(tmp)) {
            assertEquals(List.of(), all.filter(f -> f.getFileName().toString().endsWith(".pyfsjvm-tmp")).toList());
        }
    }

    @Test
    void sourceVanishingAfterPlanningIntoAnExistingDirectory() throws Exception {
        Path s = vanishingSource();
        Files.createDirectories(tmp.resolve("d"));
        FsException x = assertThrows(FsException.class, () -> engine(s, tmp.resolve("d")).run());
        assertEquals("ENOENT", x.errno());
        assertArrayEquals(b(s.resolve("fk")), x.path());
        assertFalse(Files.exists(tmp.resolve("d/fk")));
        try (Stream<Path> files = Files.list(tmp.resolve("d"))) {
            for (Path f : files.toList()) {
                assertFalse(f.getFileName().toString().endsWith(".pyfsjvm-tmp"), f.toString());
                assertEquals(Files.readString(s.resolve(f.getFileName())), Files.readString(f)); // complete
            }
        }
    }

    @Test
    void rebaseMovesAPathFromOneDirectoryToAnother() {
        byte[] from = "/d/tree".getBytes(StandardCharsets.UTF_8);
        byte[] to = "/d/.tree.1.pyfsjvm-tmp".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals("/d/.tree.1.pyfsjvm-tmp/a/b".getBytes(StandardCharsets.UTF_8),
                PathBytes.rebase("/d/tree/a/b".getBytes(StandardCharsets.UTF_8), from, to));
        assertArrayEquals(to, PathBytes.rebase(from, from, to));
        assertThrows(IllegalArgumentException.class,
                () -> PathBytes.rebase("/d/treetop/a".getBytes(StandardCharsets.UTF_8), from, to));
        assertThrows(IllegalArgumentException.class,
                () -> PathBytes.rebase("/e/tree/a".getBytes(StandardCharsets.UTF_8), from, to));
    }

    /** A source tree of 20 files, "fa" to "ft" ({@link #engine} deletes "fk" after planning). */
    private Path vanishingSource() throws IOException {
        Path s = Files.createDirectories(tmp.resolve("s"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(s.resolve("f" + (char) ('a' + i)), "data" + i);
        }
        return s;
    }

    /** The engine of a plan copying s to d, made before s/fk is deleted. */
    private CopyEngine engine(Path s, Path d) throws FsException, IOException {
        Planner p = new Planner(false, false, new Cancel());
        p.singleSource = true;
        p.addSource(b(s), b(d));
        Files.delete(s.resolve("fk")); // gone after the plan, before the copy
        return new CopyEngine(p.plan, false, true, false, 1, new Cancel(), new AtomicLong(),
                new java.util.concurrent.atomic.AtomicInteger());
    }

    private static long list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
