package pyfsjvm.copy;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Raw-byte path arithmetic (names never become Strings: DESIGN.md, "Names and paths"). */
public final class PathBytes {
    private PathBytes() {}

    /** {@code dir + "/" + rel}; no extra '/' when {@code dir} ends with one; {@code dir} alone if rel is empty. */
    public static byte[] join(byte[] dir, byte[] rel) {
        if (rel.length == 0) {
            return dir.clone();
        }
        boolean sep = dir.length > 0 && dir[dir.length - 1] != '/';
        byte[] out = new byte[dir.length + (sep ? 1 : 0) + rel.length];
        System.arraycopy(dir, 0, out, 0, dir.length);
        if (sep) {
            out[dir.length] = '/';
        }
        System.arraycopy(rel, 0, out, out.length - rel.length, rel.length);
        return out;
    }

    /** {@code path}, which is {@code from} or lies under it, moved to {@code to}. */
    public static byte[] rebase(byte[] path, byte[] from, byte[] to) {
        int n = from.length;
        if (path.length < n || !Arrays.equals(path, 0, n, from, 0, n) || (path.length > n && path[n] != '/')) {
            throw new IllegalArgumentException("not under the directory it is moved from");
        }
        byte[] out = Arrays.copyOf(to, to.length + path.length - n);
        System.arraycopy(path, n, out, to.length, path.length - n);
        return out;
    }

    /** Without trailing slashes ("/" stays "/"). */
    public static byte[] stripSlashes(byte[] p) {
        int end = p.length;
        while (end > 1 && p[end - 1] == '/') {
            end--;
        }
        return end == p.length ? p : Arrays.copyOf(p, end);
    }

    /** The last name ("a/b/" gives "b"); empty for "/", "." and ".." (their contents go straight in). */
    public static byte[] basename(byte[] p) {
        byte[] s = stripSlashes(p);
        int i = s.length;
        while (i > 0 && s[i - 1] != '/') {
            i--;
        }
        byte[] name = Arrays.copyOfRange(s, i, s.length);
        if (name.length == 0 || Arrays.equals(name, new byte[] {'.'}) || Arrays.equals(name, new byte[] {'.', '.'})) {
            return new byte[0];
        }
        return name;
    }

    /** Whether two paths name entries of the same directory (equal bytes up to their last '/'). */
    public static boolean sameParent(byte[] a, byte[] b) {
        int sa = lastSlash(a);
        return sa == lastSlash(b) && Arrays.equals(a, 0, sa + 1, b, 0, sa + 1);
    }

    private static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /** The directory part ("a/b" gives "a", "b" gives ".", "/b" gives "/"). */
    public static byte[] parent(byte[] p) {
        byte[] s = stripSlashes(p);
        int i = s.length;
        while (i > 0 && s[i - 1] != '/') {
            i--;
        }
        if (i == 0) {
            return new byte[] {'.'};
        }
        int end = i;
        while (end > 1 && s[end - 1] == '/') {
            end--;
        }
        return Arrays.copyOf(s, end);
    }

    /**
     * A temporary sibling of {@code dst}: {@code .<name>.<random>.pyfsjvm-tmp} in the same directory,
     * so the final rename never crosses a file system. Hidden, and recognisable after a crash.
     * Long names are shortened so that the temporary name stays within NAME_MAX (255).
     */
    public static byte[] tempSibling(byte[] dst) {
        byte[] dir = parent(dst);
        byte[] name = basename(dst);
        if (name.length > 180) {
            name = Arrays.copyOf(name, 180);
        }
        String suffix = "." + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + ".pyfsjvm-tmp";
        byte[] s = suffix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] tmpName = new byte[1 + name.length + s.length];
        tmpName[0] = '.';
        System.arraycopy(name, 0, tmpName, 1, name.length);
        System.arraycopy(s, 0, tmpName, 1 + name.length, s.length);
        if (stripSlashes(dst).length > 0 && indexOfSlash(stripSlashes(dst)) < 0) {
            return tmpName; // relative name in the current directory
        }
        return join(dir, tmpName);
    }

    private static int indexOfSlash(byte[] p) {
        for (int i = 0; i < p.length; i++) {
            if (p[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /** True if {@code p} equals {@code dir} or lies below it (both normalised, no trailing '/'). */
    public static boolean isWithin(byte[] p, byte[] dir) {
        if (p.length < dir.length || !Arrays.equals(p, 0, dir.length, dir, 0, dir.length)) {
            return false;
        }
        return p.length == dir.length || p[dir.length] == '/' || (dir.length == 1 && dir[0] == '/');
    }
}
