package pyfsjvm.platform.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The glibc functions the FFM layer calls, with errno captured. Shared by every family that needs
 * a syscall NIO does not offer (directory reads with d_type, statx, inotify, copy_file_range...):
 * add new downcalls here, next to the ones that exist.
 */
public final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_TYPE = 0x1;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int AT_EMPTY_PATH = 0x1000;
    /** A descriptor that names a file without opening it for I/O (no device open, no read permission). */
    public static final int O_PATH = 010000000;
    /** O_DIRECTORY and O_NOFOLLOW differ between x86_64 and the generic (aarch64) ABI. */
    public static final int O_DIRECTORY;
    public static final int O_NOFOLLOW;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            O_DIRECTORY = 0x10000;
            O_NOFOLLOW = 0x20000;
        } else if (arch.equals("aarch64") || arch.equals("arm64")) {
            O_DIRECTORY = 0x4000;
            O_NOFOLLOW = 0x8000;
        } else {
            throw new UnsupportedOperationException("FFM layer not built for architecture " + arch);
        }
    }

    static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO, Linker.Option.firstVariadicArg(2));
    static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO);
    static final MethodHandle GETDENTS64 = downcall("getdents64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    /**
     * statx, with the path given as a raw address (a long: the same register as a pointer on both
     * 64-bit ABIs this layer supports; pass {@code segment.address()} of memory kept alive). A walk
     * passes each name where getdents64 left it in the thread's scratch buffer: a MemorySegment
     * slice per name was one object per entry, the largest source of a walk's garbage (a million
     * per 1M-entry report).
     */
    static final MethodHandle STATX = downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    // file copying (pyfsjvm.copy through FfmCopy)
    static final MethodHandle COPY_FILE_RANGE = downcall("copy_file_range",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    static final MethodHandle SENDFILE = downcall("sendfile",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    static final MethodHandle FCHMOD = downcall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    static final MethodHandle FUTIMENS = downcall("futimens", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    static final MethodHandle UTIMENSAT = downcall("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), ERRNO);
    static final MethodHandle FSYNC = downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    static final MethodHandle RENAME = downcall("rename", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    /** {@code renameat2} (glibc 2.28+), or null where this libc lacks it. */
    static final MethodHandle RENAMEAT2 = LIBC.find("renameat2").isPresent() ? downcall("renameat2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), ERRNO) : null;
    static final MethodHandle GETXATTR = downcall("getxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), ERRNO);
    /** renameat2's flag: fail with EEXIST instead of replacing what {@code to} names. */
    static final int RENAME_NOREPLACE = 1;

    @SuppressWarnings("restricted") // native access is the point; the JVM runs with --enable-native-access
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment sym = LIBC.find(name).orElseThrow(
                () -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, options);
    }

    /** The errno a call stored into its capture segment. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    public static String errnoName(int errno) {
        return LinuxErrno.name(errno);
    }

    /** Per-thread native scratch memory, freed by the GC when the thread goes away. */
    static final class Scratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment capture = arena.allocate(CAPTURE);
        final MemorySegment statx = arena.allocate(256, 8);
        final MemorySegment dents = arena.allocate(1 << 16, 8);
        final byte[] dentsHeap = new byte[1 << 16];
        final pyfsjvm.platform.Stat stat = new pyfsjvm.platform.Stat(); // one per thread, not per directory
        /** Where each listed name starts in {@link #dents}, by listing index. */
        int[] nameAt = new int[256];
        MemorySegment path = arena.allocate(4096, 8);
        MemorySegment data = arena.allocate(1 << 16, 8);

        void nameAt(int i, int offset) {
            if (i >= nameAt.length) {
                nameAt = java.util.Arrays.copyOf(nameAt, Math.max(i + 1, nameAt.length * 2));
            }
            nameAt[i] = offset;
        }

        /** Copies {@code b[off, off+len)} plus a NUL into the path buffer. */
        MemorySegment cString(byte[] b, int off, int len) {
            if (len + 1 > path.byteSize()) {
                path = arena.allocate(Math.max(len + 1, path.byteSize() * 2), 8);
            }
            MemorySegment.copy(b, off, path, ValueLayout.JAVA_BYTE, 0, len);
            path.set(ValueLayout.JAVA_BYTE, len, (byte) 0);
            return path;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** The error for {@code errno} from a call on {@code path}, named and explained as everywhere else. */
    static pyfsjvm.bridge.FsException fail(int errno, byte[] path) {
        String name = errnoName(errno);
        return new pyfsjvm.bridge.FsException(name, path, pyfsjvm.bridge.Errno.reason(name));
    }

    /** What a downcall threw, for {@code throw Libc.rethrow(t)}: unchecked as it was, or wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
