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
        byte[][] batches = task.runNow().result();
        TreeSet<String> out = new TreeSet<>();
        List<Object> p = decode(batches[0]);
        for (int r = 0; r < ((String[]) p.get(1)).length && ((String[]) p.get(1))[0] != null; r++) {
            out.add("P " + ((String[]) p.get(1))[r] + " " + ((String[]) p.get(2))[r] + " " + base(((String[]) p.get(3))[r]));
        }
        List<Object> f = decode(batches[1]);
        for (int r = 0; r < ((byte[]) f.get(1)).length; r++) {
            out.add("F" + ((byte[]) f.get(1))[r] + " " + ((String[]) f.get(2))[r] + " " + base(((String[]) f.get(3))[r]));
        }
        return out;
    }

    private static String base(String path) {
        return path.isEmpty() ? "-" : Path.of(path).getFileName().toString();
    }

    /** Columns per the layout: String[] for 's', byte[] for 'B', null otherwise. */
    private static List<Object> decode(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.getInt(0);
        int ncols = bb.getInt(4);
        int pos = 8 + 8 * ncols;
        List<Object> cols = new ArrayList<>();
        for (int c = 0; c < ncols; c++) {
            char kind = (char) b[8 + 8 * c];
            int len = bb.getInt(8 + 8 * c + 4);
            if (kind == 's') {
                cols.add(rows == 0 ? new String[] {null} : new String(b, pos, len - 1, StandardCharsets.UTF_8).split("\0", -1));
            } else if (kind == 'B') {
                byte[] v = new byte[rows];
                System.arraycopy(b, pos, v, 0, rows);
                cols.add(v);
            } else {
                cols.add(null);
            }
            pos += (len + 7) & ~7;
        }
        return cols;
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
        assertTrue(def.contains("F0 foo foo"), "family row: the family directory");
        assertTrue(def.contains("P foo 1.0 package.py"));
        assertFalse(def.toString().contains("foo 1.1 "), "ignored");
        assertTrue(def.contains("P foo 1.2 -"), "empty version listed without its file");
        assertFalse(def.toString().contains("foo 1.3 "), "building without package file");
        assertTrue(def.contains("P foo 1.4 package.py"));
        assertTrue(def.contains("P foo .building2.5 -"), "rez's fall-through quirk");
        assertTrue(def.contains("P foo 3.0 package.py"), "an .ignore directory hides nothing; .py before .yaml");
        assertTrue(def.contains("P foo 5.0 package.yaml"));
        assertTrue(def.contains("P foo 1.6 package.py"), "symlinked version");
        assertTrue(def.contains("P bar  package.py"), "unversioned: versions not scanned");
        assertFalse(def.toString().contains("bar 1.0"));
        assertTrue(def.contains("F2 qux qux.yaml"), "combined family");
        assertTrue(def.contains("P linked 1.0 package.py"), "symlinked family");
        assertFalse(def.toString().contains("Bad-Name") || def.toString().contains("__pycache__")
                || def.toString().contains("settings") || def.toString().contains(" x.PY"));

        TreeSet<String> strict = scan(root, false, true, "pkgdef", "package");
        assertTrue(strict.contains("P bar 1.0 package.py"));
        assertTrue(strict.contains("P foo 5.0 pkgdef.py"));
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
