package pyfsjvm.hash;

import java.nio.ByteBuffer;

/**
 * One running hash computation, the streaming API every family that hashes uses (dedup, diff,
 * sync, snapshot, delta). Not thread-safe: one hasher per thread; get one from
 * {@link HashAlgorithm#newHasher()}.
 */
public interface Hasher {
    /** Feeds {@code len} bytes of {@code b} from {@code off}. */
    void update(byte[] b, int off, int len);

    /** Feeds the remaining bytes of {@code buf}, advancing its position to its limit. */
    void update(ByteBuffer buf);

    /** Finishes and returns the digest; the hasher is then reset for reuse. */
    byte[] digest();

    /** Forgets everything fed so far. */
    void reset();

    /** Length of {@link #digest()} in bytes. */
    int digestLength();
}
