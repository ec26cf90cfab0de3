package pyfsjvm.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.RawPaths;

/** Hashes files and byte ranges of files with one reused buffer (one FileHasher per thread). */
public final class FileHasher {
    private final HashAlgorithm algorithm;
    private final Hasher hasher;
    private final ByteBuffer buffer;
    private final Cancel cancel;

    public FileHasher(HashAlgorithm algorithm, int bufferSize, Cancel cancel) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, got " + bufferSize);
        }
        this.algorithm = algorithm;
        this.hasher = algorithm.newHasher();
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.cancel = cancel == null ? new Cancel() : cancel;
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    /** The digest of the whole file (following symlinks). */
    public byte[] hashFile(Path path) throws FsException {
        return hashRange(path, 0, Long.MAX_VALUE);
    }

    /** The digest of at most {@code length} bytes from {@code offset} (fewer at end of file). */
    public byte[] hashRange(Path path, long offset, long length) throws FsException {
        hasher.reset();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long pos = offset;
            long left = length;
            while (left > 0) {
                cancel.check();
                buffer.clear();
                if (left < buffer.capacity()) {
                    buffer.limit((int) left);
                }
                int n = ch.read(buffer, pos);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                hasher.update(buffer);
                pos += n;
                left -= n;
            }
        } catch (IOException e) {
            hasher.reset();
            throw FsException.from(e, RawPaths.bytes(path));
        }
        return hasher.digest();
    }
}
