package pyfsjvm.watch;

import java.util.Arrays;

/** A raw-byte path (or name) as a hash key. Never decoded: names are bytes (DESIGN.md). */
final class PathKey {
    final byte[] b;
    private final int hash;

    PathKey(byte[] b) {
        this.b = b;
        this.hash = Arrays.hashCode(b);
    }

    static PathKey of(byte[] src, int off, int len) {
        return new PathKey(Arrays.copyOfRange(src, off, off + len));
    }

    /** True if this path is {@code other} or lies below it ({@code other + "/" ...}). */
    boolean within(PathKey other) {
        byte[] o = other.b;
        if (b.length < o.length || !Arrays.equals(b, 0, o.length, o, 0, o.length)) {
            return false;
        }
        return b.length == o.length || b[o.length] == '/' || (o.length > 0 && o[o.length - 1] == '/');
    }

    /** {@code this + "/" + name} (no doubled '/' after a root like "/"). */
    PathKey child(byte[] name, int off, int len) {
        return new PathKey(join(b, name, off, len));
    }

    static byte[] join(byte[] dir, byte[] name, int off, int len) {
        if (dir.length == 0) {
            return Arrays.copyOfRange(name, off, off + len);
        }
        boolean sep = dir[dir.length - 1] != '/';
        byte[] out = new byte[dir.length + (sep ? 1 : 0) + len];
        System.arraycopy(dir, 0, out, 0, dir.length);
        if (sep) {
            out[dir.length] = '/';
        }
        System.arraycopy(name, off, out, out.length - len, len);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathKey k && k.hash == hash && Arrays.equals(k.b, b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() { // tests and debugging only; never used as a path
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
