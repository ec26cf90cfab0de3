package pyfsjvm.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.platform.RawPaths;

/**
 * A file on this machine. As a target it can be <em>staged</em>: writes go to a temporary file
 * beside it (a copy of the original when delta transfer keeps most of it), which replaces the
 * target by an atomic rename at {@link #commit()}. An interrupted run then leaves the target
 * exactly as it was. Without staging, blocks are written in place (like pdiffcopy and
 * {@code rsync --inplace}), and a re-run resumes by re-comparing.
 */
final class LocalFile implements Endpoint {
    private final byte[] raw;
    private final Path path;
    private long size = -2;
    private FileChannel reader;
    private FileChannel writer;
    private Path staged;
    private Path commitTo;

    LocalFile(byte[] raw) throws FsException {
        this.raw = raw;
        this.path = RawPaths.path(raw);
        this.commitTo = path;
    }

    @Override
    public synchronized long size() throws IOException {
        if (size == -2) {
            try {
                if (Files.isDirectory(path)) {
                    throw new FsException("EISDIR", raw, "Is a directory");
                }
                size = Files.size(path);
            } catch (NoSuchFileException e) {
                size = -1;
            } catch (IOException e) {
                throw FsException.from(e, raw);
            }
        }
        return size;
    }

    @Override
    public void hashes(int blockSize, String method, HashAlgorithm algorithm, int concurrency, Cancel cancel,
                       BlockHashes.Sink sink) throws IOException, InterruptedException {
        long n = size();
        if (n < 0) {
            throw new FsException("ENOENT", raw, "No such file or directory");
        }
        HashCache.compute(path, n, blockSize, algorithm, concurrency, cancel, sink);
    }

    private synchronized FileChannel reader() throws IOException {
        if (reader == null) {
            try {
                reader = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw FsException.from(e, raw);
            }
        }
        return reader;
    }

    @Override
    public int read(long offset, byte[] buf) throws IOException {
        FileChannel ch = reader();
        ByteBuffer b = ByteBuffer.wrap(buf);
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, offset + b.position());
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
        return b.position();
    }

    /**
     * Stages this target: later writes go to a temporary file in the same directory, seeded with
     * the original's bytes when {@code keepContents} (delta transfer) and empty otherwise.
     */
    synchronized void stage(boolean keepContents) throws IOException {
        // A symlinked target: replace the file it points to, as an in-place write would, not the link.
        try {
            if (Files.isSymbolicLink(path)) {
                commitTo = path.toRealPath();
            }
        } catch (NoSuchFileException e) {
            commitTo = path; // a dangling link: the rename replaces the link itself
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
        Path dir = commitTo.toAbsolutePath().getParent();
        String base = commitTo.getFileName().toString();
        Path tmp = dir.resolve("." + base + ".pyfs-delta." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            if (keepContents && size() >= 0) {
                Files.copy(path, tmp, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.createFile(tmp);
                if (size() >= 0) {
                    copyMode(path, tmp);
                }
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw FsException.from(e, RawPaths.bytes(tmp));
        }
        staged = tmp;
    }

    private static void copyMode(Path from, Path to) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(from);
            Files.setPosixFilePermissions(to, perms);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file keeps the default mode
        }
    }

    private synchronized FileChannel writer() throws IOException {
        if (writer == null) {
            Path p = staged != null ? staged : path;
            try {
                if (staged == null && p.getParent() != null) {
                    Files.createDirectories(p.toAbsolutePath().getParent());
                }
                writer = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw FsException.from(e, RawPaths.bytes(p));
            }
        }
        return writer;
    }

    @Override
    public void write(long offset, byte[] buf, int len) throws IOException {
        FileChannel ch = writer();
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        try {
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
    }

    @Override
    public void resize(long newSize) throws IOException {
        FileChannel ch = writer();
        try {
            if (ch.size() > newSize) {
                ch.truncate(newSize);
            } else if (ch.size() < newSize) {
                ch.write(ByteBuffer.wrap(new byte[1]), newSize - 1); // sparse extension
            }
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
    }

    @Override
    public synchronized void commit() throws IOException {
        try {
            writer().force(false);
            writer.close();
            writer = null;
            if (staged != null) {
                try {
                    Files.move(staged, commitTo, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(staged, commitTo, StandardCopyOption.REPLACE_EXISTING);
                }
                staged = null;
                Path dir = commitTo.toAbsolutePath().getParent();
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                } catch (IOException ignored) {
                    // some file systems cannot sync a directory; the rename is done either way
                }
            }
        } catch (IOException e) {
            throw FsException.from(e, raw);
        } finally {
            closeQuietly();
        }
    }

    @Override
    public synchronized void abort() {
        closeQuietly();
        if (staged != null) {
            deleteQuietly(staged);
            staged = null;
        }
    }

    synchronized void closeQuietly() {
        for (FileChannel ch : new FileChannel[] {reader, writer}) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing after a failure
                }
            }
        }
        reader = null;
        writer = null;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    @Override
    public String label() {
        return "local file";
    }

    @Override
    public boolean isRemote() {
        return false;
    }
}
