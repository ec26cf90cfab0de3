package pyfsjvm.platform;

import java.nio.ByteBuffer;

import pyfsjvm.bridge.FsException;

/**
 * The operating-system calls every family goes through. Two layers implement it: {@link NioPlatform}
 * (portable NIO, any JDK >= 17, any OS) and, on Linux with JDK >= 22, the FFM layer
 * ({@code pyfsjvm.platform.ffm.LinuxFfmPlatform}: getdents64 with d_type, statx, raw-byte names).
 * Both pass the same tests; {@link #get()} picks one per JVM and {@code runtime_info()} shows which.
 *
 * <p>Paths are raw bytes throughout (DESIGN.md): Python passes {@code os.fsencode(path)} and gets
 * back exactly the bytes the kernel returned.
 */
public interface Platform {
    /** Stat each entry (lstat, or stat with {@link #WANT_FOLLOW}). Without it only types are filled. */
    int WANT_STAT = 1;
    /** Take the type and stat of a symlink's target; a broken link keeps its own lstat. */
    int WANT_FOLLOW = 2;
    /**
     * With {@link #WANT_STAT}: keep only size, inode and device (3 longs per entry instead of 14),
     * for walks that report nothing else; the listing's other stat accessors then throw.
     */
    int WANT_SIZES_ONLY = 4;

    /** "ffm-linux" or "nio". */
    String name();

    /** True when names and paths are exact raw bytes in both directions. */
    boolean exactNames();

    /** True when {@link Stat#blocks} is known. */
    boolean hasBlocks();

    /**
     * Reads directory {@code dir} into {@code out} (cleared first), without "." and "..".
     * Entry types are always filled (from d_type or a stat); per-entry failures go to
     * {@link DirListing#errno}. Failing to open or read the directory itself throws.
     */
    void readDirectory(byte[] dir, int want, DirListing out) throws FsException;

    /** {@code stat} ({@code follow}) or {@code lstat} of {@code path} into {@code out}. */
    void stat(byte[] path, boolean follow, Stat out) throws FsException;

    /**
     * The type of {@code path} ({@code stat} when {@code follow}, else {@code lstat}), or
     * {@link FileType#UNKNOWN} if it cannot be stat'ed: Python's {@code os.path.isfile}/{@code isdir}
     * in one call, for loops that ask millions of times and need nothing else.
     */
    default byte typeOf(byte[] path, boolean follow) {
        Stat st = new Stat();
        try {
            stat(path, follow, st);
            return st.type;
        } catch (FsException e) {
            return FileType.UNKNOWN;
        }
    }

    /**
     * Reads ranges of the regular file {@code path} (following symlinks) with one open: range
     * {@code k} is {@code lengths[k]} bytes from {@code offsets[k]}, stored one after another in
     * {@code dst}. A range stops early at end of file. Returns the bytes read in all. For the
     * many small reads of dedup (a file's head and tail, a small file whole), where opening a
     * {@code FileChannel} costs more than the read; the FFM layer does open/pread/close.
     */
    default int readRanges(byte[] path, long[] offsets, int[] lengths, byte[] dst) throws FsException {
        return readRanges(path, offsets, lengths, dst, 0, null);
    }

    /**
     * As {@link #readRanges(byte[], long[], int[], byte[])}, storing from {@code dst[dstOff]}
     * (hash_files reads small files into one arena this way); with {@code after != null} the
     * status of the file read, taken once the ranges are read: what a snapshot records and checks
     * against its walk (the FFM layer takes it with {@code fstat} on the open descriptor, saving
     * a path lookup per file; this fallback stats the path).
     */
    default int readRanges(byte[] path, long[] offsets, int[] lengths, byte[] dst, int dstOff, Stat after)
            throws FsException {
        int total = 0;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(RawPaths.path(path),
                java.nio.file.StandardOpenOption.READ)) {
            for (int k = 0; k < offsets.length; k++) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(dst, dstOff + total, lengths[k]);
                int got = 0;
                while (bb.hasRemaining()) {
                    int n = ch.read(bb, offsets[k] + got);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                total += got;
            }
        } catch (java.io.IOException e) {
            throw FsException.from(e, path);
        }
        if (after != null) {
            stat(path, true, after);
        }
        return total;
    }

    /**
     * Reads the first {@code len} bytes of the regular file {@code path} (following symlinks)
     * into {@code dst[at, at+len)} (absolute: {@code dst}'s position and limit are left alone),
     * with one open; fewer at end of file. Returns the bytes read. hash_files reads its small files
     * this way into a direct buffer the BLAKE3 lanes then read in place: the FFM layer preads
     * straight into it, with no FileChannel and no copy through a temporary buffer.
     */
    default int read(byte[] path, ByteBuffer dst, int at, int len) throws FsException {
        java.util.Objects.checkFromIndexSize(at, len, dst.capacity());
        ByteBuffer d = dst.duplicate().clear().position(at).limit(at + len);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(RawPaths.path(path),
                java.nio.file.StandardOpenOption.READ)) {
            while (d.hasRemaining() && ch.read(d, d.position() - at) >= 0) {
                // a short read is not the end: read on until end of file
            }
        } catch (java.io.IOException e) {
            throw FsException.from(e, path);
        }
        return d.position() - at;
    }

    /** A direct file copy that beats NIO, or null when this layer has none (callers then use NIO). */
    default NativeCopy nativeCopy() {
        return null;
    }

    /** The platform layer for this JVM. */
    static Platform get() {
        return PlatformHolder.INSTANCE;
    }
}
