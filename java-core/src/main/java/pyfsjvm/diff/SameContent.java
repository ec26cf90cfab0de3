package pyfsjvm.diff;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.hash.FileHasher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Whether two files of the same size hold the same bytes: both are read side by side and the
 * reading stops at the first block that differs.
 *
 * <p>sync needs a yes or no, not a digest, so it compares bytes instead of hashing both sides.
 * A changed file usually differs in its first block, so a changed pair costs one read of each
 * file instead of two whole reads and two digests; an equal pair costs the same reads without
 * the hashing. Same type checks as hashing ({@link FileHasher#openRegular}: a FIFO is refused,
 * never opened). One instance per thread: it owns its two buffers.
 */
final class SameContent {
    private static final int BLOCK = 64 * 1024;

    private final ByteBuffer x = ByteBuffer.allocate(BLOCK);
    private final ByteBuffer y = ByteBuffer.allocate(BLOCK);
    private final Cancel cancel;

    SameContent(Cancel cancel) {
        this.cancel = cancel;
    }

    /**
     * True when the files at {@code a} and {@code b} both have {@code size} bytes, equal ones.
     * A file that is shorter or longer than {@code size} by now is "not the same". A file that cannot
     * be opened or read throws (the caller copies, and the copy reports the error).
     */
    boolean same(byte[] a, byte[] b, long size) throws FsException {
        try (FileChannel ca = FileHasher.openRegular(a); FileChannel cb = FileHasher.openRegular(b)) {
            if (ca.size() != size || cb.size() != size) {
                return false;
            }
            for (long pos = 0; pos < size; ) {
                cancel.check();
                int want = (int) Math.min(BLOCK, size - pos);
                if (!fill(ca, x, pos, want, a) || !fill(cb, y, pos, want, b)) {
                    return false; // shrank meanwhile
                }
                if (x.flip().mismatch(y.flip()) >= 0) {
                    return false;
                }
                pos += want;
            }
            return true;
        } catch (IOException e) { // closing; the reads name their file
            throw FsException.from(e, a);
        }
    }

    /** Reads exactly {@code want} bytes at {@code pos} into {@code buf}; false at an early end of file. */
    private static boolean fill(FileChannel ch, ByteBuffer buf, long pos, int want, byte[] raw) throws FsException {
        buf.clear().limit(want);
        try {
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    return false;
                }
            }
        } catch (IOException e) {
            throw FsException.from(e, raw);
        }
        return true;
    }
}
