package pyfsjvm.watch;

import pyfsjvm.bridge.FsException;

/**
 * Where raw change notifications come from: inotify itself through FFM on JDK >= 22
 * ({@code InotifySource}), or {@code java.nio.file.WatchService} ({@link WatchServiceSource}).
 * Both speak inotify's vocabulary (the mask bits below), so {@link Watcher} handles one model.
 *
 * <p>All methods but {@link #close()} are called from the watcher's own thread only. A source has
 * no thread of its own that spins: {@link #read} blocks in the kernel (poll / WatchService.poll)
 * until something happens, the timeout passes or {@link #close()} is called from any thread.
 */
public interface EventSource {
    int IN_MODIFY = 0x2;
    int IN_ATTRIB = 0x4;
    int IN_CLOSE_WRITE = 0x8;
    int IN_MOVED_FROM = 0x40;
    int IN_MOVED_TO = 0x80;
    int IN_CREATE = 0x100;
    int IN_DELETE = 0x200;
    int IN_DELETE_SELF = 0x400;
    int IN_MOVE_SELF = 0x800;
    int IN_UNMOUNT = 0x2000;
    int IN_Q_OVERFLOW = 0x4000;
    int IN_IGNORED = 0x8000;
    int IN_ISDIR = 0x40000000;

    /** Receives the events of one {@link #read}; {@code name} is valid only during the call. */
    interface Sink {
        void event(int wd, int mask, int cookie, byte[] name, int off, int len);
    }

    /** "inotify" or "watchservice". */
    String name();

    /** True when renames carry a cookie pairing MOVED_FROM with MOVED_TO (inotify). */
    boolean hasCookies();

    /** True when events say whether they are about a directory (IN_ISDIR). */
    boolean knowsDirs();

    /**
     * Starts watching directory {@code dir}; returns its watch descriptor (the same one again for
     * a directory already watched). The watch limit shows as {@code ENOSPC}, as from the kernel.
     */
    int add(byte[] dir) throws FsException;

    /** Stops watching; an {@code IN_IGNORED} for {@code wd} may follow. */
    void remove(int wd);

    /**
     * Waits up to {@code timeoutMs} (-1: no limit) for events and hands every ready one to
     * {@code sink}. Returns false once the source is closed.
     */
    boolean read(long timeoutMs, Sink sink) throws FsException;

    /** Stops the source from any thread: a {@link #read} blocked in another thread returns false promptly. */
    void close();

    /** Frees the source's descriptors; called once by the thread that read from it, at its end. */
    default void release() {
        close();
    }
}
