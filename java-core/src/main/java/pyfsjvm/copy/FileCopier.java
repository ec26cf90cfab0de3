package pyfsjvm.copy;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.NativeCopy;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies one file so that it appears at its final name only when complete: the bytes go to a
 * temporary sibling ({@link PathBytes#tempSibling}), mode and times are set on it, and only then is it
 * renamed over the final name. A failure, Ctrl-C or {@code kill -9} at any point therefore leaves
 * either the old destination or the complete new file, never a truncated one (a crash can leave a
 * hidden {@code .<name>.<hex>.pyfsjvm-tmp} file, which is never confused with the real one).
 *
 * <p>The byte copy is {@link FileChannel#transferTo} between two file channels, which the JDK turns
 * into the kernel's own copy: {@code copy_file_range(2)} on recent JDKs (which also reflinks on
 * btrfs/XFS and does server-side copies on NFS), {@code sendfile(2)} on JDK 17. It runs in chunks so
 * that cancellation and progress are checked between them.
 *
 * <p>Durability: by default nothing is fsynced (as {@code cp} and {@code rsync}: a power cut can lose
 * recently copied files, but never exposes a partial one under its final name once the rename is on
 * disk). With {@code fsync} the file data is flushed before the rename and the directory after it.
 *
 * <p>{@link Files#copy} was measured as the small-file path and rejected: it makes more system calls
 * per file (fadvise, flistxattr, fchown, a second copy_file_range) for no less CPU.
 *
 * <p>One instance per thread.
 */
public final class FileCopier {
    /** Bytes per transferTo call: big enough to stay in the kernel, small enough to cancel promptly. */
    static final long CHUNK = 16L << 20;

    private final Platform platform = Platform.get();
    private final Stat st = new Stat();
    private final boolean preserve;
    private final boolean fsync;
    private final Cancel cancel;
    private final AtomicLong bytes;
    private final Releases releases;

    /**
     * @param preserve keep mode (permission, setuid/setgid/sticky bits) and access/modification times
     * @param bytes    incremented as bytes are copied (progress), may be null
     */
    public FileCopier(boolean preserve, boolean fsync, Cancel cancel, AtomicLong bytes) {
        this(preserve, fsync, cancel, bytes, null);
    }

    /**
     * As above; with {@code releases}, a file this copier replaces is freed on its threads rather
     * than inside the rename on this one ({@link Releases}: for syncs that replace many files).
     */
    public FileCopier(boolean preserve, boolean fsync, Cancel cancel, AtomicLong bytes, Releases releases) {
        this.preserve = preserve;
        this.fsync = fsync;
        this.cancel = cancel;
        this.bytes = bytes == null ? new AtomicLong() : bytes;
        this.releases = releases;
    }

    /**
     * Copies regular file {@code src} (following a symlink) to {@code dst}.
     *
     * @param noReplace fail with {@code EEXIST} "destination already exists" if {@code dst} appeared
     *                  meanwhile (atomically: link(2) of the finished temporary file, which cannot clobber)
     * @return the number of bytes copied
     */
    public long copyFile(byte[] src, byte[] dst, boolean noReplace) throws FsException {
        return copyFile(src, dst, noReplace, false);
    }

    /**
     * As {@link #copyFile(byte[], byte[], boolean)}; {@code replacing}: {@code dst} is known to exist,
     * so the copier's {@link Releases} (if any) should take the file it replaces. Without the hint
     * no hold is tried: a lookup that fails for every new file would cost more than it saves.
     */
    public long copyFile(byte[] src, byte[] dst, boolean noReplace, boolean replacing) throws FsException {
        cancel.check();
        Path in = RawPaths.path(src);
        byte[] tmpBytes = PathBytes.tempSibling(dst);
        Path tmp = RawPaths.path(tmpBytes);
        long copied = 0;
        boolean created = false;
        try {
            NativeCopy nc = platform.nativeCopy();
            if (nc != null) {
                created = true; // the temporary file may exist whatever happens below
                long n;
                try {
                    n = nc.copy(src, tmpBytes, preserve, fsync, cancel, bytes::addAndGet);
                } catch (FsException e) {
                    throw e.path() == tmpBytes ? new FsException(e.errno(), dst, e.reason()) : e;
                }
                if (n != NativeCopy.UNSUPPORTED) {
                    cancel.check();
                    if (noReplace) {
                        publish(tmp, tmpBytes, dst, true);
                    } else {
                        replace(nc, tmpBytes, dst, replacing);
                    }
                    created = false;
                    if (fsync) {
                        syncDirectory(PathBytes.parent(dst));
                    }
                    return n;
                }
                deleteQuietly(tmp); // this pair cannot be copied in the kernel: the NIO path below
                created = false;
            }
            FileChannel ic;
            try {
                ic = FileChannel.open(in, StandardOpenOption.READ);
            } catch (IOException e) {
                throw FsException.from(e, src);
            }
            try (ic) {
                platform.stat(src, true, st); // after open: the mode and times of what we read
                FileChannel oc;
                try {
                    oc = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    throw FsException.from(e, dst); // e.g. a read-only or missing destination directory
                }
                created = true;
                try (oc) {
                    // Up to the size seen after opening: no extra call to discover the end of the
                    // file (a measurable cost per small file), and a file that grows meanwhile is
                    // copied as it was when we started. One that shrinks ends at its new end.
                    long n;
                    while (copied < st.size && (n = transfer(ic, copied, Math.min(CHUNK, st.size - copied), oc,
                            src, dst)) > 0) {
                        copied += n;
                        bytes.addAndGet(n);
                        cancel.check();
                    }
                    if (fsync) {
                        oc.force(true);
                    }
                }
            } catch (FsException e) {
                throw e;
            } catch (IOException e) {
                throw FsException.from(e, dst); // closing the output failed (e.g. deferred ENOSPC on NFS)
            }
            if (preserve) {
                setMetadata(tmp, dst, st.mode, st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec);
            }
            cancel.check();
            publish(tmp, tmpBytes, dst, noReplace);
            created = false;
            if (fsync) {
                syncDirectory(PathBytes.parent(dst));
            }
            return copied;
        } finally {
            if (created) {
                deleteQuietly(tmp);
            }
        }
    }

    /**
     * Copies regular file {@code src} straight to {@code dst}, created exclusively, with no temporary
     * name: for a file of a tree that {@link CopyEngine} builds under a hidden name and publishes
     * whole, so nothing looks at {@code dst} before it is complete. A failure removes what was
     * written (anything at {@code dst} is this copy's: the hidden tree is). Where the kernel cannot
     * copy the pair, and without the native layer, it is {@link #copyFile} (by a temporary name
     * in the hidden tree) after all.
     *
     * @param mask {@code dst}'s directory's {@link NativeCopy#creationMask}, or -1
     */
    public long copyFileFresh(byte[] src, byte[] dst, int mask) throws FsException {
        cancel.check();
        NativeCopy nc = platform.nativeCopy();
        if (nc == null) {
            return copyFile(src, dst, false, false);
        }
        boolean complete = false;
        try {
            long n = nc.copy(src, dst, preserve, fsync, mask, cancel, bytes::addAndGet);
            if (n == NativeCopy.UNSUPPORTED) {
                deleteQuietly(RawPaths.path(dst));
                n = copyFile(src, dst, false, false);
            }
            complete = true;
            return n;
        } finally {
            if (!complete) {
                deleteQuietly(RawPaths.path(dst));
            }
        }
    }

    /** Recreates symlink {@code src} at {@code dst} (the link itself, not its target). */
    public void copySymlink(byte[] src, byte[] dst, boolean noReplace) throws FsException {
        cancel.check();
        Path target;
        try {
            target = Files.readSymbolicLink(RawPaths.path(src));
        } catch (IOException e) {
            throw FsException.from(e, src);
        }
        Path out = RawPaths.path(dst);
        if (noReplace) {
            try {
                Files.createSymbolicLink(out, target); // atomic; fails if anything is there
            } catch (FileAlreadyExistsException e) {
                throw exists(dst);
            } catch (IOException e) {
                throw FsException.from(e, dst);
            }
            return;
        }
        byte[] tmpBytes = PathBytes.tempSibling(dst);
        Path tmp = RawPaths.path(tmpBytes);
        try {
            Files.createSymbolicLink(tmp, target);
        } catch (IOException e) {
            throw FsException.from(e, dst);
        }
        try {
            publish(tmp, tmpBytes, dst, false);
        } catch (FsException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private long transfer(FileChannel ic, long pos, long count, FileChannel oc, byte[] src, byte[] dst)
            throws FsException {
        try {
            return ic.transferTo(pos, count, oc);
        } catch (IOException e) {
            // Say which side failed: a full disk is about the destination, EIO usually the source.
            String errno = pyfsjvm.bridge.Errno.of(e);
            boolean dstSide = errno.equals("ENOSPC") || errno.equals("EDQUOT") || errno.equals("EFBIG")
                    || errno.equals("EROFS");
            throw new FsException(errno, dstSide ? dst : src, pyfsjvm.bridge.Errno.reason(errno, e));
        }
    }

    /** Renames {@code tmp} over {@code dst}; what it replaces is freed by {@link #releases}, if any. */
    private void replace(NativeCopy nc, byte[] tmp, byte[] dst, boolean replacing) throws FsException {
        if (releases != null && replacing) {
            releases.freeing(dst, () -> nc.rename(tmp, dst));
        } else {
            nc.rename(tmp, dst);
        }
    }

    /** Renames the finished temporary file to its final name. */
    private static void publish(Path tmp, byte[] tmpBytes, byte[] dst, boolean noReplace) throws FsException {
        Path out = RawPaths.path(dst);
        if (noReplace) {
            try {
                Files.createLink(out, tmp); // cannot clobber: EEXIST if something appeared meanwhile
                deleteQuietly(tmp);
                return;
            } catch (FileAlreadyExistsException e) {
                throw exists(dst);
            } catch (IOException | UnsupportedOperationException e) {
                // no hard links here (FAT, some FUSE file systems, symlinks on some kernels): fall back
                // to a checked rename
                if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                    throw exists(dst);
                }
            }
        }
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces atomically
        } catch (AtomicMoveNotSupportedException e) {
            throw new FsException("EXDEV", dst, "Invalid cross-device link");
        } catch (IOException e) {
            throw FsException.from(e, dst);
        }
    }

    static FsException exists(byte[] dst) {
        return new FsException("EEXIST", dst, "destination already exists");
    }

    /** Sets mode and times (nanoseconds) on {@code p}; not following a symlink at {@code p}. */
    static void setMetadata(Path p, byte[] raw, int mode, long aSec, long aNsec, long mSec, long mNsec)
            throws FsException {
        try {
            Files.setAttribute(p, "unix:mode", mode & 07777);
            Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(
                    FileTime.from(mSec * 1_000_000_000L + mNsec, TimeUnit.NANOSECONDS),
                    FileTime.from(aSec * 1_000_000_000L + aNsec, TimeUnit.NANOSECONDS), null);
        } catch (IOException e) {
            throw FsException.from(e, raw);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // a file system without unix attributes: the data is what matters
        }
    }

    static void syncDirectory(byte[] dir) {
        try (FileChannel ch = FileChannel.open(RawPaths.path(dir), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the file itself was synced
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: it is a hidden temporary name
        }
    }
}
