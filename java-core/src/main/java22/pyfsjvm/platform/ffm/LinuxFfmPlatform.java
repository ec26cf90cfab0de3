package pyfsjvm.platform.ffm;

import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Linux layer on the Foreign Function &amp; Memory API (JDK >= 22): {@code getdents64} gives
 * names as raw bytes with their {@code d_type}, so a walk that only needs types makes no stat at
 * all, and {@code statx} relative to the open directory fills the rest. No {@code Path}, no String.
 */
public final class LinuxFfmPlatform implements Platform {
    private static final ValueLayout.OfShort U16 = JAVA_SHORT.withByteAlignment(1);
    private static final ValueLayout.OfLong U64 = JAVA_LONG.withByteAlignment(1);

    public LinuxFfmPlatform() {
        // Fail here (and fall back to NIO) if a needed symbol or the architecture is missing, or if
        // the JVM was started without --enable-native-access (calls would print warnings).
        if (!LinuxFfmPlatform.class.getModule().isNativeAccessEnabled()) {
            throw new UnsupportedOperationException("native access is not enabled for pyfs-jvm's classes");
        }
        Stat probe = new Stat();
        try {
            stat(new byte[] {'/'}, true, probe);
        } catch (FsException e) {
            throw new UnsupportedOperationException("statx unusable: " + e.reason(), e);
        }
    }

    private static final FfmCopy COPY = new FfmCopy();

    @Override
    public String name() {
        return "ffm-linux";
    }

    @Override
    public pyfsjvm.platform.NativeCopy nativeCopy() {
        return COPY;
    }

    @Override
    public boolean exactNames() {
        return true;
    }

    @Override
    public boolean hasBlocks() {
        return true;
    }

    @Override
    public void readDirectory(byte[] dir, int want, DirListing out) throws FsException {
        out.clear((want & WANT_STAT) != 0, (want & WANT_SIZES_ONLY) != 0);
        Libc.Scratch s = Libc.scratch();
        int fd = open(s, dir);
        try {
            boolean stat = (want & WANT_STAT) != 0;
            boolean follow = (want & WANT_FOLLOW) != 0;
            Stat st = s.stat;
            int batches = 0;
            while (true) {
                long n;
                try {
                    n = (long) Libc.GETDENTS64.invokeExact(s.capture, fd, s.dents, s.dents.byteSize());
                } catch (Throwable t) {
                    throw Libc.rethrow(t);
                }
                if (n < 0) {
                    throw Libc.fail(Libc.errno(s.capture), dir);
                }
                if (n == 0) {
                    break;
                }
                batches++;
                byte[] heap = s.dentsHeap;
                MemorySegment.copy(s.dents, JAVA_BYTE, 0, heap, 0, (int) n);
                int pos = 0;
                while (pos < n) {
                    int reclen = Short.toUnsignedInt(s.dents.get(U16, pos + 16));
                    int dtype = heap[pos + 18] & 0xff;
                    int nameStart = pos + 19;
                    int nameEnd = nameStart;
                    while (heap[nameEnd] != 0) {
                        nameEnd++;
                    }
                    int len = nameEnd - nameStart;
                    pos += reclen;
                    if (heap[nameStart] == '.' && (len == 1 || (len == 2 && heap[nameStart + 1] == '.'))) {
                        continue;
                    }
                    int at = out.add(heap, nameStart, len, FileType.fromDirentType(dtype));
                    s.nameAt(at, nameStart);
                }
            }
            // Names first, then the stats: the listing sizes its stat array once.
            out.reserveStat();
            byte[] names = out.nameArray();
            for (int i = 0, n = out.count(); i < n; i++) {
                byte type = out.type(i);
                if (stat || type == FileType.UNKNOWN || (follow && type == FileType.SYMLINK)) {
                    // One getdents batch (most directories): its names are still in the buffer,
                    // NUL-terminated, so statx reads them there instead of from a copy.
                    long cname = batches == 1 ? s.dents.address() + s.nameAt[i]
                            : s.cString(names, out.nameStart(i), out.nameLength(i)).address();
                    statEntry(s, fd, cname, follow, st, out, i);
                }
            }
        } finally {
            close(fd);
        }
    }

    /** Stats entry {@code i}, named by the NUL-terminated bytes at {@code cname} in {@code s}'s memory. */
    private static void statEntry(Libc.Scratch s, int fd, long cname, boolean follow,
                                  Stat st, DirListing out, int i) {
        int err = statx(s, fd, cname, Libc.AT_SYMLINK_NOFOLLOW, st);
        if (err != 0) {
            out.setError(i, Libc.errnoName(err));
            return;
        }
        if (follow && st.type == FileType.SYMLINK) {
            out.setStat(i, st); // keep the link's own lstat if the target cannot be reached
            Stat target = new Stat();
            int terr = statx(s, fd, cname, 0, target);
            if (terr != 0) {
                out.setLink(i, DirListing.BROKEN);
                out.setError(i, Libc.errnoName(terr));
                return;
            }
            out.setLink(i, DirListing.FOLLOWED);
            out.setStat(i, target);
            return;
        }
        out.setStat(i, st);
    }

    @Override
    public void stat(byte[] path, boolean follow, Stat out) throws FsException {
        Libc.Scratch s = Libc.scratch();
        MemorySegment c = s.cString(path, 0, path.length);
        int err = statx(s, Libc.AT_FDCWD, c.address(), follow ? 0 : Libc.AT_SYMLINK_NOFOLLOW, out);
        if (err != 0) {
            throw Libc.fail(err, path);
        }
    }

    /** statx asking for the type only, reading back only st_mode (the rest is not copied out). */
    @Override
    public byte typeOf(byte[] path, boolean follow) {
        Libc.Scratch s = Libc.scratch();
        MemorySegment c = s.cString(path, 0, path.length);
        int rc;
        try {
            rc = (int) Libc.STATX.invokeExact(s.capture, Libc.AT_FDCWD, c.address(),
                    follow ? 0 : Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE, s.statx);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        return rc != 0 ? FileType.UNKNOWN : FileType.fromMode(Short.toUnsignedInt(s.statx.get(JAVA_SHORT, 28)));
    }

    /**
     * statx into {@code out}; returns 0 or the errno. {@code cpath} is the address of a C string in
     * {@code s}'s scratch memory (which {@code s} keeps alive).
     */
    private static int statx(Libc.Scratch s, int dirfd, long cpath, int flags, Stat out) {
        int rc;
        try {
            rc = (int) Libc.STATX.invokeExact(s.capture, dirfd, cpath, flags, Libc.STATX_BASIC_STATS,
                    s.statx);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (rc != 0) {
            return Libc.errno(s.capture);
        }
        MemorySegment b = s.statx;
        out.nlink = Integer.toUnsignedLong(b.get(JAVA_INT, 16));
        out.uid = b.get(JAVA_INT, 20);
        out.gid = b.get(JAVA_INT, 24);
        out.mode = Short.toUnsignedInt(b.get(JAVA_SHORT, 28));
        out.type = FileType.fromMode(out.mode);
        out.ino = b.get(JAVA_LONG, 32);
        out.size = b.get(JAVA_LONG, 40);
        out.blocks = b.get(JAVA_LONG, 48);
        out.atimeSec = b.get(JAVA_LONG, 64);
        out.atimeNsec = Integer.toUnsignedLong(b.get(JAVA_INT, 72));
        out.ctimeSec = b.get(JAVA_LONG, 96);
        out.ctimeNsec = Integer.toUnsignedLong(b.get(JAVA_INT, 104));
        out.mtimeSec = b.get(JAVA_LONG, 112);
        out.mtimeNsec = Integer.toUnsignedLong(b.get(JAVA_INT, 120));
        out.dev = makedev(b.get(JAVA_INT, 136), b.get(JAVA_INT, 140));
        return 0;
    }

    /** glibc's makedev, so that st_dev equals what Python's os.stat reports. */
    static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    @Override
    public int readRanges(byte[] path, long[] offsets, int[] lengths, byte[] dst, int dstOff, Stat after)
            throws FsException {
        Libc.Scratch s = Libc.scratch();
        int fd = openForReading(s, path);
        int total = 0;
        try {
            for (int k = 0; k < offsets.length; k++) {
                int got = 0;
                while (got < lengths[k]) {
                    long n = pread(s, fd, s.data, Math.min(lengths[k] - got, s.data.byteSize()), offsets[k] + got, path);
                    if (n == 0) {
                        break; // end of file
                    }
                    MemorySegment.copy(s.data, ValueLayout.JAVA_BYTE, 0, dst, dstOff + total + got, (int) n);
                    got += (int) n;
                }
                total += got;
            }
            if (after != null) { // fstat: statx(fd, "", AT_EMPTY_PATH), no path lookup
                int err = statx(s, fd, s.cString(EMPTY, 0, 0).address(), Libc.AT_EMPTY_PATH, after);
                if (err != 0) {
                    throw Libc.fail(err, path);
                }
            }
        } finally {
            close(fd);
        }
        return total;
    }

    @Override
    public int read(byte[] path, ByteBuffer dst, int at, int len) throws FsException {
        if (!dst.isDirect()) {
            return Platform.super.read(path, dst, at, len);
        }
        MemorySegment into = MemorySegment.ofBuffer(dst.duplicate().clear()).asSlice(at, len);
        Libc.Scratch s = Libc.scratch();
        int fd = openForReading(s, path);
        long got = 0;
        try {
            while (got < len) {
                long n = pread(s, fd, into.asSlice(got), len - got, got, path);
                if (n == 0) {
                    break; // end of file
                }
                got += n;
            }
        } finally {
            close(fd);
        }
        return (int) got;
    }

    /** {@code pread(fd, into, count, offset)}, again after EINTR: the bytes read (0 at end of file). */
    private static long pread(Libc.Scratch s, int fd, MemorySegment into, long count, long offset, byte[] path)
            throws FsException {
        while (true) {
            long n;
            try {
                n = (long) Libc.PREAD.invokeExact(s.capture, fd, into, count, offset);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (n >= 0) {
                return n;
            }
            int err = Libc.errno(s.capture);
            if (!"EINTR".equals(Libc.errnoName(err))) {
                throw Libc.fail(err, path);
            }
        }
    }

    private static int openForReading(Libc.Scratch s, byte[] path) throws FsException {
        MemorySegment c = s.cString(path, 0, path.length);
        int fd;
        try {
            fd = (int) Libc.OPEN.invokeExact(s.capture, c, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (fd < 0) {
            throw Libc.fail(Libc.errno(s.capture), path);
        }
        return fd;
    }

    private static final byte[] EMPTY = {};

    private static int open(Libc.Scratch s, byte[] dir) throws FsException {
        MemorySegment c = s.cString(dir, 0, dir.length);
        int fd;
        try {
            fd = (int) Libc.OPEN.invokeExact(s.capture, c, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (fd < 0) {
            throw Libc.fail(Libc.errno(s.capture), dir);
        }
        return fd;
    }

    private static void close(int fd) {
        try {
            int rc = (int) Libc.CLOSE.invokeExact(fd);
            assert rc == 0 || rc == -1;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
