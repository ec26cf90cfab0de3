package pyfsjvm.copy;

import java.util.Arrays;

/**
 * What a copy will do, decided in full before anything is written: one row per directory to
 * create, file to copy or symlink to recreate, in depth-first order (a directory before its
 * contents, siblings by name bytes), so the returned paths are deterministic.
 */
public final class Plan {
    public static final byte DIR = 0;
    public static final byte FILE = 1;
    public static final byte LINK = 2;

    byte[] kind = new byte[256];
    byte[][] src = new byte[256][];
    byte[][] dst = new byte[256][];
    long[] size = new long[256];
    long[] mtimeSec = new long[256];
    long[] mtimeNsec = new long[256];
    /** The destination is known not to exist (its parent is a directory this plan creates). */
    boolean[] fresh = new boolean[256];
    /** Directory rows that are a source's top (created with their missing parents). */
    boolean[] top = new boolean[256];
    /** File rows whose destination exists and is replaced (overwrite): see {@link Releases}. */
    boolean[] replaces = new boolean[256];
    int count;
    /** Sources added ({@link Planner#addSource}). */
    int sources;
    long totalBytes;
    int totalFiles;

    int add(byte k, byte[] s, byte[] d, long sz, long mSec, long mNsec) {
        if (count == kind.length) {
            int cap = count * 2;
            kind = Arrays.copyOf(kind, cap);
            src = Arrays.copyOf(src, cap);
            dst = Arrays.copyOf(dst, cap);
            size = Arrays.copyOf(size, cap);
            mtimeSec = Arrays.copyOf(mtimeSec, cap);
            mtimeNsec = Arrays.copyOf(mtimeNsec, cap);
            fresh = Arrays.copyOf(fresh, cap);
            top = Arrays.copyOf(top, cap);
            replaces = Arrays.copyOf(replaces, cap);
        }
        int i = count++;
        kind[i] = k;
        src[i] = s;
        dst[i] = d;
        size[i] = sz;
        mtimeSec[i] = mSec;
        mtimeNsec[i] = mNsec;
        if (k == FILE) {
            totalBytes += sz;
        }
        if (k != DIR) {
            totalFiles++;
        }
        return i;
    }

    public int count() {
        return count;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public int totalFiles() {
        return totalFiles;
    }
}
