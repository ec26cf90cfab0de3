package pyfsjvm.platform;

/**
 * The result of one {@code stat}/{@code lstat}: the fields every family needs, in one mutable
 * holder so that hot loops can reuse it. {@code blocks} is -1 where the platform layer cannot
 * tell (NIO has no {@code st_blocks}). Times are seconds plus nanoseconds.
 */
public final class Stat {
    public byte type;
    public int mode;
    public long size;
    public long ino;
    public long dev;
    public long nlink;
    public int uid;
    public int gid;
    public long blocks = -1;
    public long atimeSec;
    public long atimeNsec;
    public long mtimeSec;
    public long mtimeNsec;
    public long ctimeSec;
    public long ctimeNsec;

    public boolean isDir() {
        return type == FileType.DIR;
    }

    public boolean isFile() {
        return type == FileType.FILE;
    }

    public boolean isSymlink() {
        return type == FileType.SYMLINK;
    }

    /** Modification time in nanoseconds since the epoch. */
    public long mtimeNanos() {
        return mtimeSec * 1_000_000_000L + mtimeNsec;
    }
}
