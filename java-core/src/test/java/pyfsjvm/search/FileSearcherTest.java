package pyfsjvm.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** One file, searched in blocks: line numbers, offsets, context and limits. */
class FileSearcherTest {
    @TempDir
    Path dir;

    private List<FileSearcher.Match> run(String pattern, boolean ci, int context, long max, byte[] content)
            throws IOException {
        Path f = dir.resolve("f.txt");
        Files.write(f, content);
        return new FileSearcher(RustRegex.compile(pattern, ci), context, max)
                .search(f.toString().getBytes(StandardCharsets.UTF_8), new Cancel());
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void linesOffsetsAndSpans() throws IOException {
        List<FileSearcher.Match> ms = run("o+", false, 0, Long.MAX_VALUE,
                "foo boo\r\nbar\nzoo".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, ms.size());
        assertEquals(1, ms.get(0).line);
        assertEquals("foo boo", s(ms.get(0).text));
        assertEquals(1, ms.get(0).start);
        assertArrayEquals(new int[] {5, 7}, ms.get(0).more);
        assertEquals(3, ms.get(1).line);
        assertNull(ms.get(1).more);
    }

    @Test
    void prefilterJumpsKeepLineNumbersAcrossBlocks() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 200_000; i++) {
            sb.append(i % 50_000 == 0 ? "the Needle here" : "hay hay hay").append('\n');
        }
        for (String p : new String[] {"Needle", "(?i)needle", "Ne+dle|zzz", "N\\w+dle"}) {
            List<FileSearcher.Match> ms = run(p, false, 1, Long.MAX_VALUE, sb.toString().getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(50_000L, 100_000L, 150_000L, 200_000L), ms.stream().map(m -> m.line).toList(), p);
            assertEquals(4, ms.get(0).start);
            assertEquals("hay hay hay", s(ms.get(0).before[0]));
            assertEquals("hay hay hay", s(ms.get(0).after.get(0)));
            assertEquals(0, ms.get(3).after.size());
        }
    }

    @Test
    void contextOverlapsAndMaxCount() throws IOException {
        byte[] c = "a\nx1\nx2\nb\nx3\n".getBytes(StandardCharsets.UTF_8);
        List<FileSearcher.Match> ms = run("x", false, 2, 2, c);
        assertEquals(2, ms.size());
        assertEquals(List.of("a"), ms.get(0).after.isEmpty() ? List.of() : List.of(s(ms.get(0).before[0])));
        assertEquals(List.of("x2", "b"), ms.get(0).after.stream().map(FileSearcherTest::s).toList());
        assertEquals(2, ms.get(1).before.length);
        assertEquals(List.of("b", "x3"), ms.get(1).after.stream().map(FileSearcherTest::s).toList());
    }

    @Test
    void binaryAnywhereAndEmptyFiles() throws IOException {
        byte[] late = new byte[300_000];
        java.util.Arrays.fill(late, (byte) 'a');
        late[299_000] = 0;
        assertSame(FileSearcher.BINARY, run("a", false, 0, Long.MAX_VALUE, late));
        assertNull(run("a", false, 0, Long.MAX_VALUE, new byte[0]));
        assertEquals(1, run("^$", false, 0, Long.MAX_VALUE, "\n".getBytes(StandardCharsets.UTF_8)).size());
    }

    @Test
    void missingFileIsAnOsError() {
        FsException e = org.junit.jupiter.api.Assertions.assertThrows(FsException.class, () ->
                new FileSearcher(RustRegex.compile("x", false), 0, 1)
                        .search(dir.resolve("nope").toString().getBytes(StandardCharsets.UTF_8), new Cancel()));
        assertEquals("ENOENT", e.errno());
    }
}
