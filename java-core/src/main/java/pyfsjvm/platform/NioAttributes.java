package pyfsjvm.platform;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Fills a {@link Stat} from NIO attributes. On Unix the object NIO returns is a
 * {@code sun.nio.fs.UnixFileAttributes} holding the whole {@code struct stat}; with the
 * {@code sun.nio.fs} package opened we read its fields directly (no extra syscalls, no
 * {@code "unix:*"} map per file). Elsewhere we fall back to the public views.
 */
final class NioAttributes {
    private NioAttributes() {}

    private static final Class<?> UNIX_ATTRS;
    /** What a {@code SecureDirectoryStream}'s attribute view returns: a wrapper of the same struct. */
    private static final Class<?> UNIX_AS_BASIC;
    private static final VarHandle WRAPPED;
    private static final VarHandle MODE;
    private static final VarHandle INO;
    private static final VarHandle DEV;
    private static final VarHandle NLINK;
    private static final VarHandle UID;
    private static final VarHandle GID;
    private static final VarHandle SIZE;
    private static final VarHandle ATIME_SEC;
    private static final VarHandle ATIME_NSEC;
    private static final VarHandle MTIME_SEC;
    private static final VarHandle MTIME_NSEC;
    private static final VarHandle CTIME_SEC;
    private static final VarHandle CTIME_NSEC;

    static {
        Class<?> c = null;
        VarHandle[] h = new VarHandle[13];
        try {
            c = Class.forName("sun.nio.fs.UnixFileAttributes");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            String[] ints = {"st_mode", "st_nlink", "st_uid", "st_gid"};
            String[] all = {"st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
                "st_atime_sec", "st_atime_nsec", "st_mtime_sec", "st_mtime_nsec", "st_ctime_sec", "st_ctime_nsec"};
            for (int i = 0; i < all.length; i++) {
                boolean isInt = java.util.Arrays.asList(ints).contains(all[i]);
                h[i] = l.findVarHandle(c, all[i], isInt ? int.class : long.class);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            c = null;
        }
        Class<?> w = null;
        VarHandle wrapped = null;
        if (c != null) {
            try {
                w = Class.forName("sun.nio.fs.UnixFileAttributes$UnixAsBasicFileAttributes");
                wrapped = MethodHandles.privateLookupIn(w, MethodHandles.lookup()).findVarHandle(w, "attrs", c);
            } catch (ReflectiveOperationException | RuntimeException e) {
                w = null;
            }
        }
        UNIX_AS_BASIC = w;
        WRAPPED = wrapped;
        UNIX_ATTRS = c;
        MODE = h[0];
        INO = h[1];
        DEV = h[2];
        NLINK = h[3];
        UID = h[4];
        GID = h[5];
        SIZE = h[6];
        ATIME_SEC = h[7];
        ATIME_NSEC = h[8];
        MTIME_SEC = h[9];
        MTIME_NSEC = h[10];
        CTIME_SEC = h[11];
        CTIME_NSEC = h[12];
    }

    /** Fills {@code out} from {@code a}, read for {@code p} (used only by the slow fallback). */
    static void fill(BasicFileAttributes a, Path p, LinkOption[] opts, Stat out) throws IOException {
        if (UNIX_AS_BASIC != null && UNIX_AS_BASIC.isInstance(a)) {
            a = (BasicFileAttributes) WRAPPED.get(a); // the directory stream's entries: same struct stat
        }
        if (UNIX_ATTRS != null && UNIX_ATTRS.isInstance(a)) {
            out.mode = (int) MODE.get(a);
            out.type = FileType.fromMode(out.mode);
            out.ino = (long) INO.get(a);
            out.dev = (long) DEV.get(a);
            out.nlink = (int) NLINK.get(a);
            out.uid = (int) UID.get(a);
            out.gid = (int) GID.get(a);
            out.size = (long) SIZE.get(a);
            out.atimeSec = (long) ATIME_SEC.get(a);
            out.atimeNsec = (long) ATIME_NSEC.get(a);
            out.mtimeSec = (long) MTIME_SEC.get(a);
            out.mtimeNsec = (long) MTIME_NSEC.get(a);
            out.ctimeSec = (long) CTIME_SEC.get(a);
            out.ctimeNsec = (long) CTIME_NSEC.get(a);
            out.blocks = -1;
            return;
        }
        fillPortable(a, p, opts, out);
    }

    private static void fillPortable(BasicFileAttributes a, Path p, LinkOption[] opts, Stat out) throws IOException {
        out.type = a.isRegularFile() ? FileType.FILE : a.isDirectory() ? FileType.DIR
                : a.isSymbolicLink() ? FileType.SYMLINK : FileType.UNKNOWN;
        out.size = a.size();
        int perms = 0;
        if (a instanceof PosixFileAttributes pa) {
            perms = permissionBits(pa.permissions());
        }
        out.mode = FileType.modeBits(out.type) | perms;
        out.ino = 0;
        out.dev = 0;
        out.nlink = 1;
        // Without a Unix view, the creation time stands in for the ctime (all the portable API has).
        FileTime ctime = a.creationTime();
        try {
            Map<String, Object> unix = Files.readAttributes(p, "unix:ino,dev,nlink,uid,gid,mode,ctime", opts);
            out.ino = ((Number) unix.get("ino")).longValue();
            out.dev = ((Number) unix.get("dev")).longValue();
            out.nlink = ((Number) unix.get("nlink")).longValue();
            out.uid = ((Number) unix.get("uid")).intValue();
            out.gid = ((Number) unix.get("gid")).intValue();
            out.mode = ((Number) unix.get("mode")).intValue();
            out.type = FileType.fromMode(out.mode);
            ctime = (FileTime) unix.get("ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // Not a Unix file system view: the portable fields above are all there is.
        }
        out.blocks = -1;
        setTime(a.lastAccessTime(), out, 0);
        setTime(a.lastModifiedTime(), out, 1);
        setTime(ctime, out, 2);
    }

    private static void setTime(FileTime t, Stat out, int which) {
        long nanos = t.to(TimeUnit.NANOSECONDS);
        long sec = Math.floorDiv(nanos, 1_000_000_000L);
        long nsec = Math.floorMod(nanos, 1_000_000_000L);
        switch (which) {
            case 0 -> { out.atimeSec = sec; out.atimeNsec = nsec; }
            case 1 -> { out.mtimeSec = sec; out.mtimeNsec = nsec; }
            default -> { out.ctimeSec = sec; out.ctimeNsec = nsec; }
        }
    }

    private static int permissionBits(Set<PosixFilePermission> ps) {
        int m = 0;
        for (PosixFilePermission p : ps) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }
}
