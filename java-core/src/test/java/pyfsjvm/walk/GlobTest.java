package pyfsjvm.walk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pyfsjvm.bridge.FsException;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Globset 0.4 semantics (pyfs-watcher spec 2.3). */
class GlobTest {
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "*.txt|a.txt|true", "*.txt|.hidden.txt|true", "*.txt|a.txt.bak|false", "*.txt|dir/a.txt|true",
        "?.txt|a.txt|true", "?.txt|ab.txt|false", "[abc]x|bx|true", "[abc]x|dx|false",
        "[!abc]x|dx|true", "[^abc]x|ax|false", "[a-c]1|b1|true", "[a-c]1|d1|false",
        "[]]|]|true", "[!]]|a|true", "[-a]|-|true", "[a-]|-|true",
        "{a,b}.py|a.py|true", "{a,b}.py|c.py|false", "{*.rs,*.py}|x.py|true", "{}x|x|true",
        "\\*|*|true", "\\*|a|false", "a\\?|a?|true",
        "**|anything/at/all|true", "**/x|x|true", "**/x|a/b/x|true", "**/x|ax|false",
        "a/**|a/b/c|true", "a/**|a|false", "a/**/b|a/b|true", "a/**/b|a/x/y/b|true",
        "a**b|axxb|true", ".git/**|.git/objects/ab|true", "__pycache__/**|__pycache__/x.pyc|true",
        "café|café|true", "*é|thé|true", "a.b|a.b|true", "a.b|axb|false", "(x)|(x)|true", "a+|a+|true",
    })
    void matches(String glob, String text, boolean expected) throws FsException {
        Glob g = Glob.compile(glob);
        assertEquals(expected, g.matches(text), g.regex());
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, g.matches(b, 0, b.length), "bytes: " + g.regex());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[a|unclosed character class; missing ']'",
        "[z-a]|invalid range; 'z' > 'a'",
        "a}|unopened alternate group; missing '{' (maybe escape '}' with '[}]'?)",
        "{a,b|unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)",
        "{a,{b}}|nested alternate groups are not allowed",
        "x\\|dangling '\\'",
    })
    void errorsAreGlobsets(String glob, String what) {
        FsException e = assertThrows(FsException.class, () -> Glob.compile(glob));
        assertNull(e.errno());
        assertEquals("error parsing glob '" + glob + "': " + what, e.reason());
    }

    @Test
    void invalidUtf8NamesOnlyMatchWildcards() throws FsException {
        byte[] name = {'a', (byte) 0xff, '.', 't', 'x', 't'};
        assertEquals(true, Glob.compile("a*.txt").matches(name, 0, name.length));
        assertEquals(true, Glob.compile("*.txt").matches(name, 0, name.length));
        assertEquals(false, Glob.compile("ab.txt").matches(name, 0, name.length));
    }
}
