package pyfsjvm.rename;

import com.google.re2j.Matcher;
import org.junit.jupiter.api.Test;
import pyfsjvm.bridge.FsException;
import pyfsjvm.search.RustRegex;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rust replace_all semantics on raw names. */
class ReplacementTest {
    private static String replace(String pattern, String rep, String name) throws FsException {
        RustRegex re = RustRegex.compile(pattern, false);
        Matcher m = re.pattern().matcher(new byte[0]);
        byte[] out = new Replacement(rep, re).replaceAll(m, name.getBytes(StandardCharsets.UTF_8));
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void syntax() throws FsException {
        assertEquals("photo_001.jpg", replace("IMG_(\\d+)", "photo_${1}", "IMG_001.jpg"));
        assertEquals("photo_001.jpg", replace("IMG_(\\d+)", "photo_$1", "IMG_001.jpg"));
        assertEquals("$1bc", replace("a", "$$1", "abc"));
        assertEquals("\\1bc", replace("(a)", "\\1", "abc"));
        assertEquals("aabc", replace("(?P<g>a)", "${g}$g", "abc"));
        assertEquals("p_abc", replace("^", "p_", "abc"));
        assertEquals("xbxcx", replace("a?", "x", "abc"));
        assertEquals("b", replace("a(x)?", "$1", "ab"));  // a group that did not take part: empty
        assertNull(replace("z", "y", "abc"));
        assertEquals("\u00e9t\u00e9", replace("e", "\u00e9", "et\u00e9"));
    }

    @Test
    void missingGroupsAreErrors() {
        for (String rep : new String[] {"$2", "${2}", "$name", "$1_bak"}) {
            FsException e = assertThrows(FsException.class, () -> replace("(a)", rep, "abc"));
            assertTrue(e.reason().startsWith("invalid replacement"), e.reason());
        }
        FsException e = assertThrows(FsException.class, () -> replace("(a)", "$1_bak", "abc"));
        assertTrue(e.reason().contains("write ${1}_bak"), e.reason());
    }

    @Test
    void rawBytesSurvive() throws FsException {
        RustRegex re = RustRegex.compile("^", false);
        byte[] name = {'b', 'a', 'd', (byte) 0xff};
        byte[] out = new Replacement("x_", re).replaceAll(re.pattern().matcher(new byte[0]), name);
        assertEquals(6, out.length);
        assertEquals((byte) 0xff, out[5]);
    }
}
