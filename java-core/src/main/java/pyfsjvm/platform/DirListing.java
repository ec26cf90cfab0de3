package pyfsjvm.platform;

import java.util.Arrays;

/**
 * The entries of one directory in columns: names as raw bytes in one array, a type per entry and,
 * when asked for ({@link Platform#WANT_STAT}), the stat fields. No object per entry, so a
 * directory of a million files costs a few arrays, not a million objects.
 *
 * <p>{@code errno[i]} is non-null when the entry's stat failed (its type then comes from
 * {@code d_type} if the platform had one); {@code ENOENT} there means the entry vanished between
 * the read and the stat. With {@link Platform#WANT_FOLLOW}, {@code link(i)} is {@link #FOLLOWED}
 * for a symlink whose target's type and stat were taken, and {@link #BROKEN} for a symlink whose
 * target could not be reached (its own lstat is kept and {@code errno} says why).
 */
public final class DirListing {
    public static final byte NOT_LINK = 0;
    public static final byte FOLLOWED = 1;
    public static final byte BROKEN = 2;

    private int count;
    private byte[] names = new byte[512];
    private int namesEnd;
    private int[] nameStart = new int[16];
    private int[] nameLen = new int[16];
    private byte[] type = new byte[16];
    private byte[] link = new byte[16];
    private String[] errno = new String[16];
    private boolean hasStat;
    /**
     * Stat fields, {@link #fields} longs per entry (one array, not one per field: a walk keeps
     * thousands of listings alive, and a dozen small arrays each was most of the GC's work).
     */
    private long[] stat;

    /**
     * Longs per entry: all of them, or only the first {@link #NARROW} (size, inode, device) for a
     * walk that reports sizes and nothing else.
     */
    private int fields = FIELDS;
    /**
     * Sorting scratch, kept with the listing (listings are reused): name keys and their order, grown
     * by the first sort (unsorted walks never need them), and one stat row.
     */
    private long[] sortKeys = new long[0];
    private int[] sortOrder = new int[0];
    private final long[] row = new long[FIELDS];

    private static final int FIELDS = 14, NARROW = 3;
    private static final int SIZE = 0, INO = 1, DEV = 2, MODE = 3, NLINK = 4, UID = 5, GID = 6, BLOCKS = 7,
            ATIME_SEC = 8, ATIME_NSEC = 9, MTIME_SEC = 10, MTIME_NSEC = 11, CTIME_SEC = 12, CTIME_NSEC = 13;

    /** Empties the listing for a new directory: with or without stat fields, all or only size/inode/device. */
    public void clear(boolean withStat, boolean sizesOnly) {
        count = 0; // no per-entry reset here: add() sets every field of the entries it appends
        namesEnd = 0;
        hasStat = withStat;
        fields = sizesOnly ? NARROW : FIELDS;
    }

    public void clear(boolean withStat) {
        clear(withStat, false);
    }

    /**
     * Makes room for the stat fields of every entry, once all are added and before the first
     * {@link #setStat} (whatever the array held is dropped, not copied). Readers add all names
     * first for this: growing the stat array entry by entry copied it at each doubling and was
     * most of a walk's garbage (14 longs per entry).
     */
    public void reserveStat() {
        if (hasStat && (stat == null || stat.length < count * fields)) {
            stat = new long[nameStart.length * fields];
        }
    }

    public int count() {
        return count;
    }

    /** Entries this listing can hold without growing. */
    public int capacity() {
        return nameStart.length;
    }

    public boolean hasStat() {
        return hasStat;
    }

    /** Appends an entry; returns its index. Stat fields are set afterwards with {@link #setStat}. */
    public int add(byte[] src, int off, int len, byte entryType) {
        ensure(count + 1);
        if (namesEnd + len > names.length) {
            names = Arrays.copyOf(names, Math.max(names.length * 2, namesEnd + len));
        }
        System.arraycopy(src, off, names, namesEnd, len);
        int i = count++;
        nameStart[i] = namesEnd;
        nameLen[i] = len;
        namesEnd += len;
        type[i] = entryType;
        link[i] = NOT_LINK;
        errno[i] = null;
        return i;
    }

    public void setStat(int i, Stat s) {
        type[i] = s.type;
        if (!hasStat) {
            return;
        }
        long[] a = stat;
        int b = i * fields;
        a[b + SIZE] = s.size;
        a[b + INO] = s.ino;
        a[b + DEV] = s.dev;
        if (fields == NARROW) {
            return;
        }
        a[b + MODE] = s.mode;
        a[b + NLINK] = s.nlink;
        a[b + UID] = s.uid;
        a[b + GID] = s.gid;
        a[b + BLOCKS] = s.blocks;
        a[b + ATIME_SEC] = s.atimeSec;
        a[b + ATIME_NSEC] = s.atimeNsec;
        a[b + MTIME_SEC] = s.mtimeSec;
        a[b + MTIME_NSEC] = s.mtimeNsec;
        a[b + CTIME_SEC] = s.ctimeSec;
        a[b + CTIME_NSEC] = s.ctimeNsec;
    }

    public void setError(int i, String errnoName) {
        errno[i] = errnoName;
    }

    public void setLink(int i, byte state) {
        link[i] = state;
    }

    public void setType(int i, byte t) {
        type[i] = t;
    }

    // --- names ---

    public byte[] nameArray() {
        return names;
    }

    public int nameStart(int i) {
        return nameStart[i];
    }

    public int nameLength(int i) {
        return nameLen[i];
    }

    public byte[] name(int i) {
        return Arrays.copyOfRange(names, nameStart[i], nameStart[i] + nameLen[i]);
    }

    public boolean isHidden(int i) {
        return nameLen[i] > 0 && names[nameStart[i]] == '.';
    }

    /** True if entry {@code i}'s name equals {@code ascii} (an ASCII literal such as ".snapshot"). */
    public boolean nameIs(int i, byte[] ascii) {
        return Arrays.equals(names, nameStart[i], nameStart[i] + nameLen[i], ascii, 0, ascii.length);
    }

    // --- columns ---

    public byte type(int i) {
        return type[i];
    }

    public byte link(int i) {
        return link[i];
    }

    public String errno(int i) {
        return errno[i];
    }

    public int mode(int i) {
        return (int) stat[wide(i) + MODE];
    }

    public long size(int i) {
        return stat[i * fields + SIZE];
    }

    public long ino(int i) {
        return stat[i * fields + INO];
    }

    public long dev(int i) {
        return stat[i * fields + DEV];
    }

    public long nlink(int i) {
        return stat[wide(i) + NLINK];
    }

    public int uid(int i) {
        return (int) stat[wide(i) + UID];
    }

    public int gid(int i) {
        return (int) stat[wide(i) + GID];
    }

    public long blocks(int i) {
        return stat[wide(i) + BLOCKS];
    }

    public long atimeSec(int i) {
        return stat[wide(i) + ATIME_SEC];
    }

    public long atimeNsec(int i) {
        return stat[wide(i) + ATIME_NSEC];
    }

    public long mtimeSec(int i) {
        return stat[wide(i) + MTIME_SEC];
    }

    public long mtimeNsec(int i) {
        return stat[wide(i) + MTIME_NSEC];
    }

    public long ctimeSec(int i) {
        return stat[wide(i) + CTIME_SEC];
    }

    public long ctimeNsec(int i) {
        return stat[wide(i) + CTIME_NSEC];
    }

    /** Copies entry {@code i}'s stat fields into {@code s} (a full listing's: see {@link #clear}). */
    public void stat(int i, Stat s) {
        s.type = type[i];
        if (!hasStat) {
            return;
        }
        long[] a = stat;
        int b = wide(i);
        s.mode = (int) a[b + MODE];
        s.size = a[b + SIZE];
        s.ino = a[b + INO];
        s.dev = a[b + DEV];
        s.nlink = a[b + NLINK];
        s.uid = (int) a[b + UID];
        s.gid = (int) a[b + GID];
        s.blocks = a[b + BLOCKS];
        s.atimeSec = a[b + ATIME_SEC];
        s.atimeNsec = a[b + ATIME_NSEC];
        s.mtimeSec = a[b + MTIME_SEC];
        s.mtimeNsec = a[b + MTIME_NSEC];
        s.ctimeSec = a[b + CTIME_SEC];
        s.ctimeNsec = a[b + CTIME_NSEC];
    }

    /** Where entry {@code i}'s fields start; only a full listing has the fields past the device. */
    private int wide(int i) {
        if (fields != FIELDS) {
            throw new IllegalStateException("this listing was read with sizes only");
        }
        return i * FIELDS;
    }

    /**
     * Sorts the entries by name, comparing raw bytes unsigned (what jwalk's sort and {@code ls}
     * in the C locale do; {@code String.compareTo} would compare UTF-16 units instead).
     */
    public void sortByName() {
        if (count < 2) {
            return;
        }
        permute(count <= 0xFFFF ? sortedByPrefix() : sortedBoxed(identity(count), 0, count));
    }

    /**
     * Moves entry {@code perm[k]} to position {@code k} for every {@code k}, in place, one cycle
     * of the permutation at a time ({@code perm} is used up). New columns per sorted directory
     * were about a third of a resync's garbage (both trees' walks sort every directory).
     */
    private void permute(int[] perm) {
        boolean withStat = hasStat && stat != null;
        for (int s = 0; s < count; s++) {
            if (perm[s] == s) {
                continue;
            }
            int ns = nameStart[s];
            int nl = nameLen[s];
            byte ty = type[s];
            byte lk = link[s];
            String er = errno[s];
            if (withStat) {
                System.arraycopy(stat, s * fields, row, 0, fields);
            }
            int k = s;
            while (true) {
                int from = perm[k];
                perm[k] = k;
                if (from == s) {
                    nameStart[k] = ns;
                    nameLen[k] = nl;
                    type[k] = ty;
                    link[k] = lk;
                    errno[k] = er;
                    if (withStat) {
                        System.arraycopy(row, 0, stat, k * fields, fields);
                    }
                    break;
                }
                nameStart[k] = nameStart[from];
                nameLen[k] = nameLen[from];
                type[k] = type[from];
                link[k] = link[from];
                errno[k] = errno[from];
                if (withStat) {
                    System.arraycopy(stat, from * fields, stat, k * fields, fields);
                }
                k = from;
            }
        }
    }

    /**
     * The name order through a primitive sort: each entry's key is its first six name bytes
     * (big-endian, so unsigned byte order; a shorter name pads with zeros, which sorts it before its
     * extensions as no name holds a NUL) above its 16-bit index. Only runs of equal prefixes are
     * compared in full. A boxed comparator sort of every directory was a visible part of a sorted
     * walk (about 25 us per 100-entry directory).
     */
    private int[] sortedByPrefix() {
        if (sortKeys.length < count) {
            sortKeys = new long[Math.max(Math.max(count, 16), sortKeys.length * 2)];
            sortOrder = new int[sortKeys.length];
        }
        long[] keys = sortKeys;
        for (int i = 0; i < count; i++) {
            long prefix = 0;
            int s = nameStart[i];
            int len = Math.min(6, nameLen[i]);
            for (int k = 0; k < 6; k++) {
                prefix = prefix << 8 | (k < len ? names[s + k] & 0xff : 0);
            }
            keys[i] = (prefix << 16 | i) ^ Long.MIN_VALUE; // unsigned order through a signed sort
        }
        Arrays.sort(keys, 0, count);
        int[] perm = sortOrder;
        for (int k = 0; k < count; k++) {
            perm[k] = (int) (keys[k] & 0xFFFF);
        }
        for (int k = 0; k < count; ) {
            int end = k + 1;
            while (end < count && (keys[end] >>> 16) == (keys[k] >>> 16)) {
                end++;
            }
            if (end - k > 1) {
                sortedBoxed(perm, k, end);
            }
            k = end;
        }
        return perm;
    }

    /** Sorts {@code perm[from, to)} by full name and returns {@code perm}. */
    private int[] sortedBoxed(int[] perm, int from, int to) {
        Integer[] order = new Integer[to - from];
        for (int i = from; i < to; i++) {
            order[i - from] = perm[i];
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(
                names, nameStart[a], nameStart[a] + nameLen[a], names, nameStart[b], nameStart[b] + nameLen[b]));
        for (int i = from; i < to; i++) {
            perm[i] = order[i - from];
        }
        return perm;
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private void ensure(int n) {
        if (n <= nameStart.length) {
            return;
        }
        int cap = Math.max(n, nameStart.length * 2);
        nameStart = Arrays.copyOf(nameStart, cap);
        nameLen = Arrays.copyOf(nameLen, cap);
        type = Arrays.copyOf(type, cap);
        link = Arrays.copyOf(link, cap);
        errno = Arrays.copyOf(errno, cap);
    }
}
