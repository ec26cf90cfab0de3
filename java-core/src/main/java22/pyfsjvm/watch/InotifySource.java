package pyfsjvm.watch;

import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.ffm.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * inotify itself, through the FFM API (JDK >= 22, Linux): one inotify instance per watcher, read
 * in 64 KiB gulps, names as raw bytes, rename cookies and IN_ISDIR kept, IN_Q_OVERFLOW passed on.
 *
 * <p>Idle costs nothing: the watcher thread sleeps in {@code poll(2)} on the inotify descriptor and
 * an eventfd; {@link #close()} writes the eventfd, which wakes it from any thread at once.
 */
public final class InotifySource implements EventSource {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle INIT1 = downcall("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle ADD_WATCH = downcall("inotify_add_watch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle RM_WATCH = downcall("inotify_rm_watch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static final int IN_NONBLOCK = 0x800;
    private static final int IN_CLOEXEC = 0x80000;
    private static final int IN_ONLYDIR = 0x01000000;
    private static final int IN_DONT_FOLLOW = 0x02000000;
    private static final int MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
            | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int BUF = 1 << 16;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment capture = arena.allocate(CAPTURE);
    private final MemorySegment buf = arena.allocate(BUF, 8);
    private final byte[] heap = new byte[BUF];
    private final MemorySegment fds = arena.allocate(16, 8); // two struct pollfd
    private final MemorySegment path = arena.allocate(4096, 8);
    private final MemorySegment one = arena.allocate(8, 8);
    private final int ifd;
    private final int efd;
    private final Object lock = new Object();
    private boolean closed;
    private boolean released;

    public InotifySource() throws FsException {
        if (!InotifySource.class.getModule().isNativeAccessEnabled()) {
            throw new UnsupportedOperationException("native access is not enabled for pyfs-jvm's classes");
        }
        try {
            int fd = (int) INIT1.invokeExact(capture, IN_NONBLOCK | IN_CLOEXEC);
            if (fd < 0) {
                int err = errno();
                throw err == 24 ? new FsException("EMFILE", null, "inotify instance limit reached")
                        : new FsException(Libc.errnoName(err), null, "inotify_init1 failed");
            }
            int e = (int) EVENTFD.invokeExact(capture, 0, IN_NONBLOCK | IN_CLOEXEC);
            if (e < 0) {
                int err = errno();
                int rc = (int) CLOSE.invokeExact(fd);
                assert rc == 0 || rc == -1;
                throw new FsException(Libc.errnoName(err), null, "eventfd failed");
            }
            ifd = fd;
            efd = e;
        } catch (FsException | RuntimeException | Error x) {
            throw x;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        one.set(JAVA_LONG, 0, 1L);
    }

    @SuppressWarnings("restricted") // native access is the point; the JVM runs with --enable-native-access
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, options);
    }

    private int errno() {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    @Override
    public String name() {
        return "inotify";
    }

    @Override
    public boolean hasCookies() {
        return true;
    }

    @Override
    public boolean knowsDirs() {
        return true;
    }

    @Override
    public int add(byte[] dir) throws FsException {
        if (dir.length + 1 > path.byteSize()) {
            throw new FsException("ENAMETOOLONG", dir, "File name too long");
        }
        MemorySegment.copy(dir, 0, path, JAVA_BYTE, 0, dir.length);
        path.set(JAVA_BYTE, dir.length, (byte) 0);
        int wd;
        try {
            wd = (int) ADD_WATCH.invokeExact(capture, ifd, path, MASK);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (wd < 0) {
            int err = errno();
            if (err == 28) {
                throw new FsException("ENOSPC", dir, "inotify watch limit reached");
            }
            String name = Libc.errnoName(err);
            throw new FsException(name, dir, pyfsjvm.bridge.Errno.reason(name));
        }
        return wd;
    }

    @Override
    public void remove(int wd) {
        try {
            int rc = (int) RM_WATCH.invokeExact(ifd, wd);
            assert rc == 0 || rc == -1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean read(long timeoutMs, Sink sink) throws FsException {
        try {
            fds.set(JAVA_INT, 0, ifd);
            fds.set(JAVA_SHORT, 4, POLLIN);
            fds.set(JAVA_SHORT, 6, (short) 0);
            fds.set(JAVA_INT, 8, efd);
            fds.set(JAVA_SHORT, 12, POLLIN);
            fds.set(JAVA_SHORT, 14, (short) 0);
            int timeout = timeoutMs < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMs);
            int rc = (int) POLL.invokeExact(capture, fds, 2L, timeout);
            if (rc < 0 && errno() != EINTR) {
                throw new FsException(Libc.errnoName(errno()), null, "poll on the inotify descriptor failed");
            }
            synchronized (lock) {
                if (closed) {
                    return false;
                }
            }
            while (true) { // drain everything ready: the kernel queue is what overflows, not ours
                long n = (long) READ.invokeExact(capture, ifd, buf, (long) BUF);
                if (n < 0) {
                    int err = errno();
                    if (err == EAGAIN || err == EINTR) {
                        return true;
                    }
                    throw new FsException(Libc.errnoName(err), null, "reading the inotify descriptor failed");
                }
                MemorySegment.copy(buf, JAVA_BYTE, 0, heap, 0, (int) n);
                int pos = 0;
                while (pos + 16 <= n) {
                    int wd = buf.get(JAVA_INT, pos);
                    int mask = buf.get(JAVA_INT, pos + 4);
                    int cookie = buf.get(JAVA_INT, pos + 8);
                    int len = buf.get(JAVA_INT, pos + 12);
                    int nameOff = pos + 16;
                    int nameLen = 0;
                    while (nameLen < len && heap[nameOff + nameLen] != 0) {
                        nameLen++;
                    }
                    sink.event(wd, mask, cookie, heap, nameOff, nameLen);
                    pos += 16 + len;
                }
                if (n < BUF - 4096) { // a short read: nothing more was queued
                    return true;
                }
            }
        } catch (FsException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (!released) {
                try {
                    long rc = (long) WRITE.invokeExact(efd, one, 8L);
                    assert rc == 8 || rc == -1;
                } catch (Throwable t) {
                    throw rethrow(t);
                }
            }
        }
    }

    @Override
    public void release() {
        synchronized (lock) {
            closed = true;
            if (released) {
                return;
            }
            released = true;
            try {
                int a = (int) CLOSE.invokeExact(ifd);
                int b = (int) CLOSE.invokeExact(efd);
                assert (a == 0 || a == -1) && (b == 0 || b == -1);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
