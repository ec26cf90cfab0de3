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
    private byte[] names = new byte[4096];
    private int namesEnd;
    private int[] nameStart = new int[64];
    private int[] nameLen = new int[64];
    private byte[] type = new byte[64];
    private byte[] link = new byte[64];
    private String[] errno = new String[64];
    private boolean hasStat;
    private int[] mode;
    private long[] size;
    private long[] ino;
    private long[] dev;
    private long[] nlink;
    private int[] uid;
    private int[] gid;
    private long[] blocks;
    private long[] atimeSec;
    private long[] atimeNsec;
    private long[] mtimeSec;
    private long[] mtimeNsec;
    private long[] ctimeSec;
    private long[] ctimeNsec;

    public void clear(boolean withStat) {
        Arrays.fill(errno, 0, count, null);
        count = 0;
        namesEnd = 0;
        hasStat = withStat;
        if (withStat && mode == null) {
            allocStat(nameStart.length);
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
        mode[i] = s.mode;
        size[i] = s.size;
        ino[i] = s.ino;
        dev[i] = s.dev;
        nlink[i] = s.nlink;
        uid[i] = s.uid;
        gid[i] = s.gid;
        blocks[i] = s.blocks;
        atimeSec[i] = s.atimeSec;
        atimeNsec[i] = s.atimeNsec;
        mtimeSec[i] = s.mtimeSec;
        mtimeNsec[i] = s.mtimeNsec;
        ctimeSec[i] = s.ctimeSec;
        ctimeNsec[i] = s.ctimeNsec;
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
        return mode[i];
    }

    public long size(int i) {
        return size[i];
    }

    public long ino(int i) {
        return ino[i];
    }

    public long dev(int i) {
        return dev[i];
    }

    public long nlink(int i) {
        return nlink[i];
    }

    public int uid(int i) {
        return uid[i];
    }

    public int gid(int i) {
        return gid[i];
    }

    public long blocks(int i) {
        return blocks[i];
    }

    public long atimeSec(int i) {
        return atimeSec[i];
    }

    public long atimeNsec(int i) {
        return atimeNsec[i];
    }

    public long mtimeSec(int i) {
        return mtimeSec[i];
    }

    public long mtimeNsec(int i) {
        return mtimeNsec[i];
    }

    public long ctimeSec(int i) {
        return ctimeSec[i];
    }

    public long ctimeNsec(int i) {
        return ctimeNsec[i];
    }

    /** Copies entry {@code i}'s stat fields into {@code s}. */
    public void stat(int i, Stat s) {
        s.type = type[i];
        if (!hasStat) {
            return;
        }
        s.mode = mode[i];
        s.size = size[i];
        s.ino = ino[i];
        s.dev = dev[i];
        s.nlink = nlink[i];
        s.uid = uid[i];
        s.gid = gid[i];
        s.blocks = blocks[i];
        s.atimeSec = atimeSec[i];
        s.atimeNsec = atimeNsec[i];
        s.mtimeSec = mtimeSec[i];
        s.mtimeNsec = mtimeNsec[i];
        s.ctimeSec = ctimeSec[i];
        s.ctimeNsec = ctimeNsec[i];
    }

    /**
     * Sorts the entries by name, comparing raw bytes unsigned (what jwalk's sort and {@code ls}
     * in the C locale do; {@code String.compareTo} would compare UTF-16 units instead).
     */
    public void sortByName() {
        if (count < 2) {
            return;
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(
                names, nameStart[a], nameStart[a] + nameLen[a], names, nameStart[b], nameStart[b] + nameLen[b]));
        int[] perm = new int[count];
        for (int i = 0; i < count; i++) {
            perm[i] = order[i];
        }
        nameStart = gather(nameStart, perm);
        nameLen = gather(nameLen, perm);
        type = gather(type, perm);
        link = gather(link, perm);
        errno = gather(errno, perm);
        if (hasStat) {
            mode = gather(mode, perm);
            size = gather(size, perm);
            ino = gather(ino, perm);
            dev = gather(dev, perm);
            nlink = gather(nlink, perm);
            uid = gather(uid, perm);
            gid = gather(gid, perm);
            blocks = gather(blocks, perm);
            atimeSec = gather(atimeSec, perm);
            atimeNsec = gather(atimeNsec, perm);
            mtimeSec = gather(mtimeSec, perm);
            mtimeNsec = gather(mtimeNsec, perm);
            ctimeSec = gather(ctimeSec, perm);
            ctimeNsec = gather(ctimeNsec, perm);
        }
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
        if (mode != null) {
            growStat(cap);
        }
    }

    private void allocStat(int cap) {
        mode = new int[cap];
        size = new long[cap];
        ino = new long[cap];
        dev = new long[cap];
        nlink = new long[cap];
        uid = new int[cap];
        gid = new int[cap];
        blocks = new long[cap];
        atimeSec = new long[cap];
        atimeNsec = new long[cap];
        mtimeSec = new long[cap];
        mtimeNsec = new long[cap];
        ctimeSec = new long[cap];
        ctimeNsec = new long[cap];
    }

    private void growStat(int cap) {
        mode = Arrays.copyOf(mode, cap);
        size = Arrays.copyOf(size, cap);
        ino = Arrays.copyOf(ino, cap);
        dev = Arrays.copyOf(dev, cap);
        nlink = Arrays.copyOf(nlink, cap);
        uid = Arrays.copyOf(uid, cap);
        gid = Arrays.copyOf(gid, cap);
        blocks = Arrays.copyOf(blocks, cap);
        atimeSec = Arrays.copyOf(atimeSec, cap);
        atimeNsec = Arrays.copyOf(atimeNsec, cap);
        mtimeSec = Arrays.copyOf(mtimeSec, cap);
        mtimeNsec = Arrays.copyOf(mtimeNsec, cap);
        ctimeSec = Arrays.copyOf(ctimeSec, cap);
        ctimeNsec = Arrays.copyOf(ctimeNsec, cap);
    }

    private static int[] gather(int[] a, int[] perm) {
        int[] r = new int[a.length];
        for (int i = 0; i < perm.length; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }

    private static long[] gather(long[] a, int[] perm) {
        long[] r = new long[a.length];
        for (int i = 0; i < perm.length; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }

    private static byte[] gather(byte[] a, int[] perm) {
        byte[] r = new byte[a.length];
        for (int i = 0; i < perm.length; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }

    private static String[] gather(String[] a, int[] perm) {
        String[] r = new String[a.length];
        for (int i = 0; i < perm.length; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }
}
