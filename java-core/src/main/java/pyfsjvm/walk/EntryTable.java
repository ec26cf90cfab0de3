package pyfsjvm.walk;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Stat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A whole tree's entries in columns: the shared "files under a root" list that search, diff,
 * sync, snapshot, dedup and du start from (pyfs-watcher spec 2.2, minus its bugs). Built by
 * {@link #collect} with the one {@link Walker}; no object per entry.
 *
 * <p>Each row has the absolute path (the root as given joined with the names), the offset where the
 * path relative to the root starts, the type and the full stat. {@link #sortByRelativePath()} gives
 * the deterministic order every family reports in. Failures met on the way (unreadable
 * directories, failed stats, symlink loops) are kept in {@link #errors()}, never dropped.
 */
public final class EntryTable {
    /** Which entries to keep; bit flags. */
    public static final int FILES = 1;
    public static final int DIRS = 2;
    public static final int SYMLINKS = 4;
    public static final int OTHER = 8;

    private byte[] paths = new byte[1 << 16];
    private int pathsEnd;
    private int[] pathStart = new int[1024];
    private int[] pathLen = new int[1024];
    private int[] relStart = new int[1024];
    private byte[] type = new byte[1024];
    private int[] depth = new int[1024];
    private long[][] stat = new long[STAT_FIELDS][1024];
    private int count;
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());

    private static final int STAT_FIELDS = 12;
    private static final int SIZE = 0, MTIME_SEC = 1, MTIME_NSEC = 2, MODE = 3, INO = 4, DEV = 5, NLINK = 6,
            BLOCKS = 7, UID = 8, GID = 9, CTIME_SEC = 10, ATIME_SEC = 11;

    /**
     * Walks {@code spec} and keeps the entries of the kinds in {@code keep} whose name matches
     * {@code glob} (null for all). Regular files are {@link #FILES}; with {@code spec.follow} a
     * symlink counts as its target's kind. Order is the walk's (depth-first, sorted if the spec
     * sorts); call {@link #sortByRelativePath()} for path order.
     */
    public static EntryTable collect(WalkSpec spec, int keep, Glob glob, Cancel cancel) throws FsException {
        EntryTable t = new EntryTable();
        byte[] root = spec.root;
        int relFrom = root.length + (root.length > 0 && root[root.length - 1] == '/' ? 0 : 1);
        Stat st = new Stat();
        Walker.walk(spec, cancel, new Walker.Visitor() {
            @Override
            public void entry(Dir parent, int i) {
                DirListing l = parent.listing();
                byte ty = l.type(i);
                int kind = ty == FileType.FILE ? FILES : ty == FileType.DIR ? DIRS
                        : ty == FileType.SYMLINK ? SYMLINKS : OTHER;
                if ((keep & kind) == 0) {
                    return;
                }
                if (glob != null && !glob.matches(l.nameArray(), l.nameStart(i), l.nameLength(i))) {
                    return;
                }
                l.stat(i, st);
                t.add(parent.path(), l.nameArray(), l.nameStart(i), l.nameLength(i), relFrom, parent.depth() + 1,
                        l.errno(i) == null || l.link(i) == DirListing.BROKEN ? st : null, ty);
            }

            @Override
            public void error(FsException e) {
                t.errors.add(e);
            }
        });
        return t;
    }

    private void add(byte[] dir, byte[] names, int nOff, int nLen, int relFrom, int d, Stat st, byte ty) {
        if (count == pathStart.length) {
            int cap = count * 2;
            pathStart = Arrays.copyOf(pathStart, cap);
            pathLen = Arrays.copyOf(pathLen, cap);
            relStart = Arrays.copyOf(relStart, cap);
            type = Arrays.copyOf(type, cap);
            depth = Arrays.copyOf(depth, cap);
            for (int f = 0; f < STAT_FIELDS; f++) {
                stat[f] = Arrays.copyOf(stat[f], cap);
            }
        }
        boolean sep = dir.length > 0 && dir[dir.length - 1] != '/';
        int len = dir.length + (sep ? 1 : 0) + nLen;
        if (pathsEnd + len > paths.length) {
            paths = Arrays.copyOf(paths, Math.max(paths.length * 2, pathsEnd + len));
        }
        int p = pathsEnd;
        System.arraycopy(dir, 0, paths, p, dir.length);
        if (sep) {
            paths[p + dir.length] = '/';
        }
        System.arraycopy(names, nOff, paths, p + len - nLen, nLen);
        int i = count++;
        pathStart[i] = p;
        pathLen[i] = len;
        relStart[i] = Math.min(relFrom, len);
        type[i] = ty;
        depth[i] = d;
        pathsEnd += len;
        long[] none = {0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0};
        if (st == null) {
            for (int f = 0; f < STAT_FIELDS; f++) {
                stat[f][i] = none[f];
            }
            return;
        }
        stat[SIZE][i] = st.size;
        stat[MTIME_SEC][i] = st.mtimeSec;
        stat[MTIME_NSEC][i] = st.mtimeNsec;
        stat[MODE][i] = st.mode;
        stat[INO][i] = st.ino;
        stat[DEV][i] = st.dev;
        stat[NLINK][i] = st.nlink;
        stat[BLOCKS][i] = st.blocks;
        stat[UID][i] = st.uid;
        stat[GID][i] = st.gid;
        stat[CTIME_SEC][i] = st.ctimeSec;
        stat[ATIME_SEC][i] = st.atimeSec;
    }

    public int count() {
        return count;
    }

    /** Failures met while walking (unreadable directories, failed stats, loops). */
    public List<FsException> errors() {
        return errors;
    }

    /** Absolute path of row {@code i} (a copy). */
    public byte[] path(int i) {
        return Arrays.copyOfRange(paths, pathStart[i], pathStart[i] + pathLen[i]);
    }

    /** Path of row {@code i} relative to the root, '/'-separated (a copy). */
    public byte[] relativePath(int i) {
        return Arrays.copyOfRange(paths, pathStart[i] + relStart[i], pathStart[i] + pathLen[i]);
    }

    /** The shared byte array holding all paths; row {@code i} is at {@link #pathStart}. */
    public byte[] pathBytes() {
        return paths;
    }

    public int pathStart(int i) {
        return pathStart[i];
    }

    public int pathLength(int i) {
        return pathLen[i];
    }

    /** Offset of the relative path inside row {@code i}'s path. */
    public int relativeOffset(int i) {
        return relStart[i];
    }

    public byte type(int i) {
        return type[i];
    }

    public int depth(int i) {
        return depth[i];
    }

    public long size(int i) {
        return stat[SIZE][i];
    }

    public long mtimeSec(int i) {
        return stat[MTIME_SEC][i];
    }

    public long mtimeNsec(int i) {
        return stat[MTIME_NSEC][i];
    }

    public int mode(int i) {
        return (int) stat[MODE][i];
    }

    public long ino(int i) {
        return stat[INO][i];
    }

    public long dev(int i) {
        return stat[DEV][i];
    }

    public long nlink(int i) {
        return stat[NLINK][i];
    }

    /** 512-byte blocks allocated, or -1 where the platform layer cannot tell (NIO). */
    public long blocks(int i) {
        return stat[BLOCKS][i];
    }

    public int uid(int i) {
        return (int) stat[UID][i];
    }

    public int gid(int i) {
        return (int) stat[GID][i];
    }

    public long ctimeSec(int i) {
        return stat[CTIME_SEC][i];
    }

    public long atimeSec(int i) {
        return stat[ATIME_SEC][i];
    }

    /** Reorders the rows by relative path, comparing bytes unsigned (deterministic output). */
    public void sortByRelativePath() {
        int[] perm = orderIfUnsorted();
        if (perm == null) {
            return;
        }
        pathStart = gather(pathStart, perm);
        pathLen = gather(pathLen, perm);
        relStart = gather(relStart, perm);
        depth = gather(depth, perm);
        byte[] t = new byte[type.length];
        for (int i = 0; i < count; i++) {
            t[i] = type[perm[i]];
        }
        type = t;
        for (int f = 0; f < STAT_FIELDS; f++) {
            long[] src = stat[f];
            long[] dst = new long[src.length];
            for (int i = 0; i < count; i++) {
                dst[i] = src[perm[i]];
            }
            stat[f] = dst;
        }
    }

    /**
     * The rows in relative-path order (unsigned bytes), without moving them: a caller can work on
     * the rows by index meanwhile (read-only for this method, so it may run on another thread).
     */
    public int[] relativePathOrder() {
        int[] perm = orderIfUnsorted();
        if (perm == null) {
            perm = new int[count];
            for (int i = 0; i < count; i++) {
                perm[i] = i;
            }
        }
        return perm;
    }

    /** The relative-path order, or null when the rows already are in it. */
    private int[] orderIfUnsorted() {
        if (inRelativePathOrder()) {
            return null;
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(
                paths, pathStart[a] + relStart[a], pathStart[a] + pathLen[a],
                paths, pathStart[b] + relStart[b], pathStart[b] + pathLen[b]));
        int[] perm = new int[count];
        for (int i = 0; i < count; i++) {
            perm[i] = order[i];
        }
        return perm;
    }

    /**
     * Whether the rows already are in relative-path order: a walk that sorts each directory emits
     * them that way except where a directory {@code d} has a sibling {@code d.x} (bytes below '/'),
     * so one linear check often saves the boxed sort (35-55 ms for 100k rows).
     */
    private boolean inRelativePathOrder() {
        for (int i = 1; i < count; i++) {
            if (Arrays.compareUnsigned(
                    paths, pathStart[i - 1] + relStart[i - 1], pathStart[i - 1] + pathLen[i - 1],
                    paths, pathStart[i] + relStart[i], pathStart[i] + pathLen[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    /** The given rows in (device, inode) order: the order that reads a tree with the fewest seeks. */
    public int[] inodeOrder(int[] rows) {
        return inodeOrder(rows, stat[DEV], stat[INO], count);
    }

    static int[] inodeOrder(int[] rows, long[] dev, long[] ino, int count) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, count));
        long dev0 = rows.length == 0 ? 0 : dev[rows[0]];
        long maxIno = 0;
        boolean oneDev = true;
        for (int r : rows) {
            maxIno = Math.max(maxIno, ino[r]); // signed: a negative (huge) inode takes the general path
            oneDev &= dev[r] == dev0;
        }
        if (oneDev && maxIno >= 0 && maxIno < (1L << (63 - bits))) {
            // the usual case: one device, inode numbers with room for the row beside them
            long[] keys = new long[rows.length];
            for (int k = 0; k < rows.length; k++) {
                keys[k] = ino[rows[k]] << bits | rows[k];
            }
            Arrays.sort(keys);
            int[] out = new int[rows.length];
            long mask = (1L << bits) - 1;
            for (int k = 0; k < rows.length; k++) {
                out[k] = (int) (keys[k] & mask);
            }
            return out;
        }
        Integer[] boxed = new Integer[rows.length];
        for (int k = 0; k < rows.length; k++) {
            boxed[k] = rows[k];
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Long.compareUnsigned(dev[a], dev[b]);
            return c != 0 ? c : Long.compareUnsigned(ino[a], ino[b]);
        });
        int[] out = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            out[k] = boxed[k];
        }
        return out;
    }

    private int[] gather(int[] a, int[] perm) {
        int[] r = new int[a.length];
        for (int i = 0; i < count; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }
}
