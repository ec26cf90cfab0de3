package pyfsjvm.rez;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.platform.Platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RezScan on its own: rez's enumeration rules on a small real repository (the Python tests compare with rez). */
class RezScanTest {
    @TempDir
    Path tmp;

    private static void file(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[0]);
    }

    /** Rows as "kind family version basename(path)" strings. */
    private static TreeSet<String> scan(Path root, boolean allowUnversioned, boolean strict, String... names) throws Exception {
        byte[][] fileNames = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            fileNames[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        byte[] root0 = root.toString().getBytes(StandardCharsets.UTF_8);
        RezScan task = new RezScan(new byte[][] {root0}, new byte[][] {null}, allowUnversioned, strict, true,
                fileNames, true, 3, Platform.get());
        byte[] b = task.runNow().result();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.getInt(0);
        int ncols = bb.getInt(4);
        int pos = 8 + 8 * ncols;
        List<Object> cols = new ArrayList<>();
        for (int c = 0; c < ncols; c++) {
            char kind = (char) b[8 + 8 * c];
            int len = bb.getInt(8 + 8 * c + 4);
            if (kind == 's') {
                cols.add(len == 0 ? new String[0] : new String(b, pos, len - 1, StandardCharsets.UTF_8).split("\0", -1));
            } else if (kind == 'B') {
                byte[] v = new byte[len];
                System.arraycopy(b, pos, v, 0, len);
                cols.add(v);
            } else {
                cols.add(null);
            }
            pos += (len + 7) & ~7;
        }
        TreeSet<String> out = new TreeSet<>();
        for (int r = 0; r < rows; r++) {
            byte kind = ((byte[]) cols.get(1))[r];
            String path = ((String[]) cols.get(4))[r];
            String base = path.isEmpty() ? "-" : Path.of(path).getFileName().toString();
            out.add(kind + " " + ((String[]) cols.get(2))[r] + " " + ((String[]) cols.get(3))[r] + " " + base);
        }
        return out;
    }

    @Test
    void rezRules() throws Exception {
        Path root = tmp.resolve("repo");
        Path foo = root.resolve("foo");
        file(foo.resolve("1.0/package.py"));
        file(foo.resolve("1.1/package.yaml"));
        file(foo.resolve(".ignore1.1"));
        Files.createDirectories(foo.resolve("1.2"));
        Files.createDirectories(foo.resolve("1.3"));
        file(foo.resolve(".building1.3"));
        file(foo.resolve("1.4/package.py"));
        file(foo.resolve(".building1.4"));
        Files.createDirectories(foo.resolve(".building2.5"));
        Files.createDirectories(foo.resolve(".ignore3.0"));
        file(foo.resolve("3.0/package.py"));
        file(foo.resolve("3.0/package.yaml"));
        file(foo.resolve("5.0/pkgdef.py"));
        file(foo.resolve("5.0/package.yaml"));
        file(tmp.resolve("elsewhere/package.py"));
        Files.createSymbolicLink(foo.resolve("1.6"), tmp.resolve("elsewhere"));
        file(root.resolve("bar/package.py"));
        file(root.resolve("bar/1.0/package.py"));
        file(root.resolve("qux.yaml"));
        file(root.resolve("x.PY"));
        file(root.resolve("settings.yaml"));
        Files.createDirectories(root.resolve("Bad-Name/1.0"));
        Files.createDirectories(root.resolve("__pycache__"));
        Files.createSymbolicLink(root.resolve("linked"), foo);

        TreeSet<String> def = scan(root, true, false, "package");
        assertTrue(def.contains("0 foo  foo"), "family row: the family directory");
        assertTrue(def.contains("3 foo 1.0 package.py"));
        assertFalse(def.toString().contains("foo 1.1 "), "ignored");
        assertTrue(def.contains("3 foo 1.2 -"), "empty version listed without its file");
        assertFalse(def.toString().contains("foo 1.3 "), "building without package file");
        assertTrue(def.contains("3 foo 1.4 package.py"));
        assertTrue(def.contains("3 foo .building2.5 -"), "rez's fall-through quirk");
        assertTrue(def.contains("3 foo 3.0 package.py"), "an .ignore directory hides nothing; .py before .yaml");
        assertTrue(def.contains("3 foo 5.0 package.yaml"));
        assertTrue(def.contains("3 foo 1.6 package.py"), "symlinked version");
        assertTrue(def.contains("4 bar  package.py"), "unversioned: versions not scanned");
        assertFalse(def.toString().contains("bar 1.0"));
        assertTrue(def.contains("2 qux  qux.yaml"), "combined family");
        assertTrue(def.contains("3 linked 1.0 package.py"), "symlinked family");
        assertFalse(def.toString().contains("Bad-Name") || def.toString().contains("__pycache__")
                || def.toString().contains("settings") || def.toString().contains(" x "));

        TreeSet<String> strict = scan(root, false, true, "pkgdef", "package");
        assertTrue(strict.contains("3 bar 1.0 package.py"));
        assertTrue(strict.contains("3 foo 5.0 pkgdef.py"));
        assertFalse(strict.toString().contains("foo 1.2 ") || strict.toString().contains(".building2.5"));
    }

    @Test
    void missingRootHasNoFamilies() throws Exception {
        assertEquals(new TreeSet<String>(), scan(tmp.resolve("nope"), true, false, "package"));
    }

    @Test
    void packageNames() {
        for (String ok : new String[] {"a", "9lives", "_priv", "a.b", "foo.py", "A_1.b2"}) {
            byte[] b = ok.getBytes(StandardCharsets.UTF_8);
            assertTrue(RezNames.isValidPackageName(b, 0, b.length), ok);
        }
        for (String bad : new String[] {"", ".git", "a..b", "a.", "Bad-Name", "a b", "fé", "__pycache__"}) {
            byte[] b = bad.getBytes(StandardCharsets.UTF_8);
            assertFalse(RezNames.isValidPackageName(b, 0, b.length), bad);
        }
    }
}
