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

    // Paths go into blocks of PATH_BLOCK bytes (the first starts small and doubles): a path never
    // spans two blocks, and a full block is left as it is, never copied.
    private static final int PATH_BLOCK = 1 << 20;
    private byte[][] pathBlocks = {new byte[1 << 12]};
    private int pathBlock;
    private int pathsEnd;
    // Rows live in chunks of CHUNK, so a growing table never copies (nor zeroes twice) what it
    // holds: doubling whole columns cost a 100k-entry walk ~15 ms of its ~30 ms of user CPU, the
    // large copies running in C1 code (too few calls for C2) with the new arrays zeroed first.
    private static final int SHIFT = 13;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private static final int FIRST_ROWS = 512;
    /** Per row: path start (in its block), path length, relative-path offset, depth, path block. */
    private static final int INTS = 5;
    private int[][] ints = new int[4][];
    private byte[][] types = new byte[4][];
    /** Per row, side by side: the STAT_FIELDS stat fields (one row is written and read together). */
    private long[][] stats = new long[4][];
    private int count;
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());

    private static final int STAT_FIELDS = 12;
    private static final int SIZE = 0, MTIME_SEC = 1, MTIME_NSEC = 2, MODE = 3, INO = 4, DEV = 5, NLINK = 6,
            BLOCKS = 7, UID = 8, GID = 9, CTIME_SEC = 10, ATIME_SEC = 11;
    private static final long[] NO_STAT = {0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0};

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
        int c = count >>> SHIFT;
        int r = count & MASK;
        if (r == 0) {
            if (c == ints.length) {
                ints = Arrays.copyOf(ints, c * 2);
                types = Arrays.copyOf(types, c * 2);
                stats = Arrays.copyOf(stats, c * 2);
            }
            // the first chunk starts small and doubles (most trees are small); the others are whole
            int rows = c == 0 ? FIRST_ROWS : CHUNK;
            ints[c] = new int[rows * INTS];
            types[c] = new byte[rows];
            stats[c] = new long[rows * STAT_FIELDS];
        } else if (r == types[c].length) {
            int rows = r * 2;
            ints[c] = Arrays.copyOf(ints[c], rows * INTS);
            types[c] = Arrays.copyOf(types[c], rows);
            stats[c] = Arrays.copyOf(stats[c], rows * STAT_FIELDS);
        }
        boolean sep = dir.length > 0 && dir[dir.length - 1] != '/';
        int len = dir.length + (sep ? 1 : 0) + nLen;
        byte[] paths = pathBlocks[pathBlock];
        if (pathsEnd + len > paths.length) {
            paths = roomForPath(len);
        }
        int p = pathsEnd;
        System.arraycopy(dir, 0, paths, p, dir.length);
        if (sep) {
            paths[p + dir.length] = '/';
        }
        System.arraycopy(names, nOff, paths, p + len - nLen, nLen);
        pathsEnd += len;
        int[] in = ints[c];
        in[r * INTS] = p;
        in[r * INTS + 1] = len;
        in[r * INTS + 2] = Math.min(relFrom, len);
        in[r * INTS + 3] = d;
        in[r * INTS + 4] = pathBlock;
        types[c][r] = ty;
        long[] row = stats[c];
        int at = r * STAT_FIELDS;
        count++;
        if (st == null) {
            System.arraycopy(NO_STAT, 0, row, at, STAT_FIELDS);
            return;
        }
        row[at + SIZE] = st.size;
        row[at + MTIME_SEC] = st.mtimeSec;
        row[at + MTIME_NSEC] = st.mtimeNsec;
        row[at + MODE] = st.mode;
        row[at + INO] = st.ino;
        row[at + DEV] = st.dev;
        row[at + NLINK] = st.nlink;
        row[at + BLOCKS] = st.blocks;
        row[at + UID] = st.uid;
        row[at + GID] = st.gid;
        row[at + CTIME_SEC] = st.ctimeSec;
        row[at + ATIME_SEC] = st.atimeSec;
    }

    /** The block to put a path of {@code len} bytes in: the first block doubled, or a new one. */
    private byte[] roomForPath(int len) {
        byte[] paths = pathBlocks[pathBlock];
        if (pathBlock == 0 && paths.length < PATH_BLOCK) {
            paths = Arrays.copyOf(paths, Math.max(Math.min(paths.length * 2, PATH_BLOCK), pathsEnd + len));
            pathBlocks[0] = paths;
            return paths;
        }
        pathBlock++;
        if (pathBlock == pathBlocks.length) {
            pathBlocks = Arrays.copyOf(pathBlocks, pathBlock * 2);
        }
        paths = new byte[Math.max(PATH_BLOCK, len)];
        pathBlocks[pathBlock] = paths;
        pathsEnd = 0;
        return paths;
    }

    private int intField(int i, int f) {
        return ints[i >>> SHIFT][(i & MASK) * INTS + f];
    }

    private long statField(int i, int f) {
        return stats[i >>> SHIFT][(i & MASK) * STAT_FIELDS + f];
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
        return Arrays.copyOfRange(pathBytes(i), pathStart(i), pathStart(i) + pathLength(i));
    }

    /** Path of row {@code i} relative to the root, '/'-separated (a copy). */
    public byte[] relativePath(int i) {
        return Arrays.copyOfRange(pathBytes(i), pathStart(i) + relativeOffset(i), pathStart(i) + pathLength(i));
    }

    /** The byte array holding row {@code i}'s path (and others'), at {@link #pathStart}. */
    public byte[] pathBytes(int i) {
        return pathBlocks[intField(i, 4)];
    }

    public int pathStart(int i) {
        return intField(i, 0);
    }

    public int pathLength(int i) {
        return intField(i, 1);
    }

    /** Offset of the relative path inside row {@code i}'s path. */
    public int relativeOffset(int i) {
        return intField(i, 2);
    }

    public byte type(int i) {
        return types[i >>> SHIFT][i & MASK];
    }

    public int depth(int i) {
        return intField(i, 3);
    }

    public long size(int i) {
        return statField(i, SIZE);
    }

    public long mtimeSec(int i) {
        return statField(i, MTIME_SEC);
    }

    public long mtimeNsec(int i) {
        return statField(i, MTIME_NSEC);
    }

    public int mode(int i) {
        return (int) statField(i, MODE);
    }

    public long ino(int i) {
        return statField(i, INO);
    }

    public long dev(int i) {
        return statField(i, DEV);
    }

    public long nlink(int i) {
        return statField(i, NLINK);
    }

    /** 512-byte blocks allocated, or -1 where the platform layer cannot tell (NIO). */
    public long blocks(int i) {
        return statField(i, BLOCKS);
    }

    public int uid(int i) {
        return (int) statField(i, UID);
    }

    public int gid(int i) {
        return (int) statField(i, GID);
    }

    public long ctimeSec(int i) {
        return statField(i, CTIME_SEC);
    }

    public long atimeSec(int i) {
        return statField(i, ATIME_SEC);
    }

    /** Reorders the rows by relative path, comparing bytes unsigned (deterministic output). */
    public void sortByRelativePath() {
        int[] perm = orderIfUnsorted();
        if (perm == null) {
            return;
        }
        int chunks = (count + MASK) >>> SHIFT;
        int[][] in = new int[chunks][];
        byte[][] ty = new byte[chunks][];
        long[][] st = new long[chunks][];
        for (int c = 0; c < chunks; c++) {
            int rows = types[c].length; // as built, so that the chunks keep their sizes
            in[c] = new int[rows * INTS];
            ty[c] = new byte[rows];
            st[c] = new long[rows * STAT_FIELDS];
        }
        for (int i = 0; i < count; i++) {
            int from = perm[i];
            int fc = from >>> SHIFT;
            int fr = from & MASK;
            int c = i >>> SHIFT;
            int r = i & MASK;
            System.arraycopy(ints[fc], fr * INTS, in[c], r * INTS, INTS);
            ty[c][r] = types[fc][fr];
            System.arraycopy(stats[fc], fr * STAT_FIELDS, st[c], r * STAT_FIELDS, STAT_FIELDS);
        }
        ints = in;
        types = ty;
        stats = st;
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
        Arrays.sort(order, (a, b) -> compareRelative(a, b));
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
            if (compareRelative(i - 1, i) > 0) {
                return false;
            }
        }
        return true;
    }

    private int compareRelative(int a, int b) {
        return Arrays.compareUnsigned(
                pathBytes(a), pathStart(a) + relativeOffset(a), pathStart(a) + pathLength(a),
                pathBytes(b), pathStart(b) + relativeOffset(b), pathStart(b) + pathLength(b));
    }

    /** The given rows in (device, inode) order: the order that reads a tree with the fewest seeks. */
    public int[] inodeOrder(int[] rows) {
        long[] dev = new long[count];
        long[] ino = new long[count];
        for (int r : rows) {
            dev[r] = statField(r, DEV);
            ino[r] = statField(r, INO);
        }
        return inodeOrder(rows, dev, ino, count);
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

}
