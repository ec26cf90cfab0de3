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

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
