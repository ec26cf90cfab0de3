package pyfsjvm.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

/**
 * Hashes files and byte ranges of files with one reused buffer (one FileHasher per thread).
 *
 * <p>Whole-file hashing ({@link #hashFile(byte[])}) refuses anything that is not a regular file
 * <em>before</em> opening it: opening a FIFO would block forever and a character device may never
 * end. The digest covers the file's size as of the open ({@link #lastSize()}); a file that shrinks
 * while it is read is an error for that file ("file shrank while being hashed"), never a crash or
 * a silently short digest. Reads are positional {@link FileChannel} reads into a buffer,
 * which cannot SIGBUS the way an mmap of a truncated file does.
 */
public final class FileHasher {
    private final HashAlgorithm algorithm;
    private final Hasher hasher;
    private static final int HEAP_READ = 256 * 1024;

    private final ByteBuffer buffer; // null: BLAKE3, reading into Blake3FileTree.buffer()
    private final int bufferSize;
    private final Cancel cancel;
    private long lastSize;

    public FileHasher(HashAlgorithm algorithm, int bufferSize, Cancel cancel) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, got " + bufferSize);
        }
        this.algorithm = algorithm;
        this.hasher = algorithm.newHasher();
        // BLAKE3 reads into this thread's native buffer (Blake3FileTree's): one copy from the page
        // cache, and the kernel's segment path. A direct buffer per FileHasher is no good: they
        // are freed only by GC, and allocating many made the JDK call System.gc(). MessageDigest
        // wants arrays (it feeds a direct buffer through a 4 KiB temporary), so SHA and the others
        // keep a heap buffer, whose read costs the JDK one extra copy: about equal. That buffer is
        // capped at HEAP_READ: the JDK copies each read from its native buffer to ours, and the
        // digest then reads ours, which at 256 KiB still sit in L2 (SHA-256 of a cached 1 GiB
        // file: 0.823 s with 1 MiB reads, 0.786 s with 256 KiB; hashlib 0.772 s).
        this.bufferSize = bufferSize;
        this.buffer = algorithm.name().equals("blake3") ? null : ByteBuffer.allocate(Math.min(bufferSize, HEAP_READ));
        this.cancel = cancel == null ? new Cancel() : cancel;
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The digest of the regular file at raw path {@code raw} (symlinks followed). Directories fail
     * with EISDIR, other non-regular files with a "not a regular file" error, both without opening
     * them. {@link #lastSize()} then tells the number of bytes hashed.
     */
    public byte[] hashFile(byte[] raw) throws FsException {
        return hashFile(raw, 1);
    }

    /**
     * As {@link #hashFile(byte[])}, on up to {@code threads} threads for a large file where the
     * algorithm allows it (BLAKE3: tree-parallel, {@link Blake3FileTree}); the digest is the same.
     */
    public byte[] hashFile(byte[] raw, int threads) throws FsException {
        try (FileChannel ch = openRegular(raw)) {
            return hashOpen(ch, ch.size(), raw, threads);
        } catch (IOException e) {
            hasher.reset();
            throw FsException.from(e, raw);
        }
    }

    /**
     * The digest of the first {@code size} bytes of a file opened with {@link #openRegular} (a
     * shorter file is an error), on up to {@code threads} threads where the algorithm allows it.
     * The caller closes {@code ch}.
     */
    public byte[] hashOpen(FileChannel ch, long size, byte[] raw, int threads) throws IOException {
        byte[] d;
        if (algorithm.name().equals("blake3")) {
            int t = size >= Blake3FileTree.MIN_PARALLEL ? Math.max(1, threads) : 1;
            d = Blake3FileTree.hash(ch, size, t, cancel, raw);
        } else {
            d = hashChannel(ch, 0, size, raw, true);
        }
        lastSize = size;
        return d;
    }

    /** Bytes hashed by the last successful {@link #hashFile(byte[])} or {@link #hashHeadTail}. */
    public long lastSize() {
        return lastSize;
    }

    /**
     * Opens a regular file for reading, after checking its type with a stat (so that a FIFO,
     * which would block the open, is refused instead). Shared with every family that reads files.
     */
    public static FileChannel openRegular(byte[] raw) throws FsException {
        Stat st = new Stat();
        Platform.get().stat(raw, true, st);
        checkRegular(st, raw);
        try {
            return FileChannel.open(RawPaths.path(raw), StandardOpenOption.READ);
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
    }

    /** Throws the error for a non-regular file: EISDIR for a directory, else a domain error. */
    static void checkRegular(Stat st, byte[] raw) throws FsException {
        if (st.type == FileType.FILE) {
            return;
        }
        if (st.type == FileType.DIR) {
            throw new FsException("EISDIR", raw, "Is a directory");
        }
        throw FsException.domain("not a regular file (" + typeName(st.type) + ")", raw);
    }

    private static String typeName(byte type) {
        switch (type) {
            case FileType.FIFO: return "a named pipe";
            case FileType.SOCKET: return "a socket";
            case FileType.CHAR_DEVICE: return "a character device";
            case FileType.BLOCK_DEVICE: return "a block device";
            default: return "unknown type";
        }
    }

    /**
     * The digest of at most {@code length} bytes from {@code offset} (fewer at end of file) of an
     * open file ({@code raw} names it in errors). Positional reads: threads may share {@code ch}.
     */
    public byte[] hashRange(FileChannel ch, long offset, long length, byte[] raw) throws FsException {
        try {
            return hashChannel(ch, offset, length, raw, false);
        } catch (IOException e) {
            hasher.reset();
            throw FsException.from(e, raw);
        }
    }

    /**
     * dedup's partial hash (pyfs-watcher {@code partial_hash}): if the file has at most {@code 2*n}
     * bytes, the hash of the whole file; otherwise the hash of its first {@code n} bytes followed by
     * its last {@code n} bytes, as one input. Same type checks as {@link #hashFile(byte[])}.
     */
    public byte[] hashHeadTail(byte[] raw, long n) throws FsException {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
        try (FileChannel ch = openRegular(raw)) {
            long size = ch.size();
            lastSize = size;
            if (size <= 2 * n) {
                return hashChannel(ch, 0, size, raw, true);
            }
            hasher.reset();
            feed(ch, 0, n, raw, true);
            feed(ch, size - n, n, raw, true);
            return hasher.digest();
        } catch (IOException e) {
            hasher.reset();
            throw FsException.from(e, raw);
        }
    }

    /** Hashes {@code length} bytes from {@code offset}; {@code exact}: a short read is an error. */
    private byte[] hashChannel(FileChannel ch, long offset, long length, byte[] raw, boolean exact)
            throws IOException {
        hasher.reset();
        feed(ch, offset, length, raw, exact);
        return hasher.digest();
    }

    private void feed(FileChannel ch, long offset, long length, byte[] raw, boolean exact) throws IOException {
        long pos = offset;
        long left = length;
        while (left > 0) {
            cancel.check();
            ByteBuffer buffer = this.buffer != null ? this.buffer : Blake3FileTree.buffer();
            buffer.clear();
            int room = Math.min(buffer.capacity(), bufferSize);
            buffer.limit((int) Math.min(left, room));
            int n = ch.read(buffer, pos);
            if (n < 0) {
                if (exact) {
                    throw FsException.domain("file shrank while being hashed", raw);
                }
                break;
            }
            buffer.flip();
            hasher.update(buffer);
            pos += n;
            left -= n;
        }
    }
}
