package pyfsjvm.platform;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;

import java.util.function.LongConsumer;

/**
 * A platform layer's direct file copy, for layers that can do better than NIO
 * ({@link Platform#nativeCopy()}; the FFM layer on Linux). Per small file NIO costs about 16 system
 * calls and a lot of object churn (two channels, an extra open for the times, a chmod by path); this
 * needs 9: open, statx, open, copy_file_range, fchmod, futimens, close, close, rename.
 */
public interface NativeCopy {
    /** {@link #copy} result: the kernel refused both copy paths for this pair; use NIO instead. */
    long UNSUPPORTED = -1;

    /**
     * Copies regular file {@code src} (following a symlink) into a new file {@code tmp}, created
     * exclusively. The data moves in the kernel ({@code copy_file_range}, else {@code sendfile}) in
     * chunks, calling {@code progress} and checking {@code cancel} between them, up to the size seen
     * when {@code src} was opened. With {@code preserve} the mode (including setuid/setgid/sticky) and
     * the access and modification times are set on the open file; {@code fsync} flushes it.
     *
     * @return the bytes copied, or {@link #UNSUPPORTED} ({@code tmp} may exist; the caller removes it)
     * @throws FsException with the path of the side that failed ({@code src} or {@code tmp})
     */
    long copy(byte[] src, byte[] tmp, boolean preserve, boolean fsync, Cancel cancel, LongConsumer progress)
            throws FsException;

    /**
     * As {@link #copy(byte[], byte[], boolean, boolean, Cancel, LongConsumer)}, for a caller that
     * knows the {@link #creationMask} of {@code tmp}'s directory ({@code mask}, or -1): with
     * {@code preserve} the file is then created with the source's permission bits, and where
     * creation gives exactly those, the separate fchmod is left out.
     */
    default long copy(byte[] src, byte[] tmp, boolean preserve, boolean fsync, int mask, Cancel cancel,
                      LongConsumer progress) throws FsException {
        return copy(src, tmp, preserve, fsync, cancel, progress);
    }

    /**
     * The permission bits that creating a file in directory {@code dir} takes away from the mode
     * asked for: this process's umask, or -1 where that is not the rule (a default ACL on
     * {@code dir} decides instead) or is not known. Directories made inside {@code dir} follow the
     * same rule (they inherit its default ACL, or none). The umask is the process's, so a thread
     * that changes it meanwhile changes the answer.
     */
    default int creationMask(byte[] dir) {
        return -1;
    }

    /** {@code rename(2)}: atomically replaces {@code to}. */
    void rename(byte[] from, byte[] to) throws FsException;

    /**
     * Renames {@code from} to {@code to} only if nothing is there ({@code renameat2} with
     * {@code RENAME_NOREPLACE}; EEXIST otherwise), and returns true; false, having done nothing,
     * where this layer, the kernel or the file system cannot promise that. Plain rename(2) would
     * replace an empty directory that appeared at {@code to}.
     */
    default boolean renameNoReplace(byte[] from, byte[] to) throws FsException {
        return false;
    }

    /**
     * Sets the modification time of {@code path} itself (a symlink is not followed; the access
     * time stays) in one system call, and returns true; false where this layer has no such call
     * (the caller uses NIO, which opens the file, reads its times and closes it again).
     */
    default boolean setMtime(byte[] path, long sec, int nsec) throws FsException {
        return false;
    }

    /**
     * A handle that keeps the file {@code path} names (not following a symlink) alive, without
     * opening it for I/O, or -1 (nothing there, or no such handle here). A file replaced by a
     * {@link #rename} while held is freed only at {@link #release}: see {@code pyfsjvm.copy.Releases}.
     */
    default int hold(byte[] path) {
        return -1;
    }

    /** Lets go of a {@link #hold} handle; a file no longer linked anywhere is freed now. */
    default void release(int handle) {
    }
}
