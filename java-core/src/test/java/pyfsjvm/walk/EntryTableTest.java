package pyfsjvm.walk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.platform.FileType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryTableTest {
    @TempDir
    Path tmp;

    private static List<String> rel(EntryTable t) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.count(); i++) {
            out.add(new String(t.relativePath(i), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void filesSortedByRelativePathWithStats() throws Exception {
        Files.createDirectories(tmp.resolve("a/b"));
        Files.createDirectories(tmp.resolve(".git"));
        Files.writeString(tmp.resolve("a/b/x.txt"), "xx");
        Files.writeString(tmp.resolve("a-b.txt"), "y");
        Files.writeString(tmp.resolve(".git/config"), "c");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("a-b.txt"));
        byte[] root = (tmp + "/").getBytes(StandardCharsets.UTF_8);
        EntryTable t = EntryTable.collect(new WalkSpec(root), EntryTable.FILES, null, new Cancel());
        t.sortByRelativePath();
        assertEquals(List.of(".git/config", "a-b.txt", "a/b/x.txt"), rel(t));
        assertEquals(2, t.size(2));
        assertEquals(FileType.FILE, t.type(2));
        assertEquals(3, t.depth(2));
        assertEquals(tmp + "/a/b/x.txt", new String(t.path(2), StandardCharsets.UTF_8));

        EntryTable hidden = EntryTable.collect(new WalkSpec(root).skipHidden(true), EntryTable.FILES | EntryTable.SYMLINKS,
                Glob.compile("*.txt"), new Cancel());
        hidden.sortByRelativePath();
        assertEquals(List.of("a-b.txt", "a/b/x.txt"), rel(hidden));

        EntryTable followed = EntryTable.collect(new WalkSpec(root).follow(true), EntryTable.FILES, null, new Cancel());
        followed.sortByRelativePath();
        assertEquals(List.of(".git/config", "a-b.txt", "a/b/x.txt", "link"), rel(followed));
        assertEquals(List.of(), followed.errors());
    }

    @Test
    void pathOrderIsByteOrderWhetherOrNotTheWalkSorts() throws Exception {
        // a sorted walk emits d, d/x, d/y, d.txt, d0: a directory's subtree before its sibling
        // "d.txt", which byte order puts between d and d/x ('.' < '/'); the final sort fixes that
        Files.createDirectories(tmp.resolve("d/e"));
        for (String f : new String[] {"d/x", "d/e/z", "d.txt", "d-1", "d0", "c", "e"}) {
            Files.writeString(tmp.resolve(f), f);
        }
        List<String> expected = List.of("c", "d", "d-1", "d.txt", "d/e", "d/e/z", "d/x", "d0", "e");
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        int all = EntryTable.FILES | EntryTable.DIRS;
        for (boolean sorted : new boolean[] {true, false}) {
            EntryTable t = EntryTable.collect(new WalkSpec(root).sort(sorted), all, null, new Cancel());
            int[] order = t.relativePathOrder();
            List<String> viaOrder = new ArrayList<>();
            for (int i : order) {
                viaOrder.add(new String(t.relativePath(i), StandardCharsets.UTF_8));
            }
            assertEquals(expected, viaOrder, "sorted walk: " + sorted);
            t.sortByRelativePath();
            assertEquals(expected, rel(t), "sorted walk: " + sorted);
            assertEquals(5, t.size(expected.indexOf("d/e/z"))); // stats moved with their rows
        }

        // already in order (no directory with such a sibling): the rows stay where they are
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Files.createDirectories(plain.resolve("a/b"));
        Files.writeString(plain.resolve("a/b/f"), "f");
        Files.writeString(plain.resolve("b"), "b");
        EntryTable p = EntryTable.collect(new WalkSpec(plain.toString().getBytes(StandardCharsets.UTF_8)).sort(true),
                all, null, new Cancel());
        assertArrayEquals(new int[] {0, 1, 2, 3}, p.relativePathOrder());
        p.sortByRelativePath();
        assertEquals(List.of("a", "a/b", "a/b/f", "b"), rel(p));
    }

    @Test
    void rowsBeyondOneChunkKeepTheirFieldsThroughTheSort() throws Exception {
        // 20,000 files (more than two of the table's 8192-row chunks), each a different size, in
        // directories whose names put "d.x" siblings between "d" and "d/..." so the sort moves rows
        // across chunks; every row must come out with its own size, type, depth and inode
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Path d = tmp.resolve("d" + (i % 40));
            Path f = i % 97 == 0 ? tmp.resolve("d" + (i % 40) + ".x" + i) : d.resolve("f" + i);
            Files.createDirectories(f.getParent());
            Files.write(f, new byte[i % 1000]);
        }
        byte[] root = tmp.toString().getBytes(StandardCharsets.UTF_8);
        EntryTable t = EntryTable.collect(new WalkSpec(root).sort(false), EntryTable.FILES | EntryTable.DIRS, null,
                new Cancel());
        assertEquals(n + 40, t.count());
        java.util.Map<String, Long> inodes = new java.util.HashMap<>();
        for (int i = 0; i < t.count(); i++) {
            inodes.put(new String(t.relativePath(i), StandardCharsets.UTF_8), t.ino(i));
        }
        t.sortByRelativePath();
        List<String> names = rel(t);
        List<String> expected = new ArrayList<>(names);
        expected.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, names);
        for (int i = 0; i < t.count(); i++) {
            String r = names.get(i);
            Path p = tmp.resolve(r);
            assertEquals(inodes.get(r), t.ino(i), r);
            assertEquals(Files.isDirectory(p) ? FileType.DIR : FileType.FILE, t.type(i), r);
            assertEquals(r.split("/").length, t.depth(i), r);
            assertEquals(tmp + "/" + r, new String(t.path(i), StandardCharsets.UTF_8));
            if (t.type(i) == FileType.FILE) {
                int k = Integer.parseInt(r.substring(r.lastIndexOf(r.contains(".x") ? 'x' : 'f') + 1));
                assertEquals(k % 1000, t.size(i), r);
            }
        }
    }

    @Test
    void inodeOrderSortsByDeviceThenUnsignedInode() throws Exception {
        for (int i = 0; i < 40; i++) {
            Files.writeString(tmp.resolve("f" + i), "x");
        }
        EntryTable t = EntryTable.collect(new WalkSpec(tmp.toString().getBytes(StandardCharsets.UTF_8)),
                EntryTable.FILES, null, new Cancel());
        int[] all = new int[t.count()];
        for (int i = 0; i < all.length; i++) {
            all[i] = all.length - 1 - i;
        }
        int[] order = t.inodeOrder(all);
        assertEquals(40, order.length);
        for (int k = 1; k < order.length; k++) {
            assertTrue(t.ino(order[k - 1]) < t.ino(order[k]));
        }
        int[] path = t.relativePathOrder();
        assertEquals(40, java.util.Arrays.stream(path).distinct().count());

        // the general path: two devices, and an inode too large to pack (negative as a long)
        long[] dev = {2, 1, 2, 1, 2};
        long[] ino = {5, 9, -1, 3, 7};
        int[] got = EntryTable.inodeOrder(new int[] {0, 1, 2, 3, 4}, dev, ino, 5);
        assertArrayEquals(new int[] {3, 1, 0, 4, 2}, got);
        // the packed path keeps only the rows asked for
        assertArrayEquals(new int[] {3, 4, 0}, EntryTable.inodeOrder(new int[] {0, 3, 4}, new long[5],
                new long[] {5, 9, 8, 3, 4}, 5));
    }
}
