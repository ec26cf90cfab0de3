package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/** A {@link Hasher} over the JDK's {@link MessageDigest}, whose SHA-2 code has CPU intrinsics. */
final class JdkHasher implements Hasher {
    private final MessageDigest md;

    JdkHasher(MessageDigest md) {
        this.md = md;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        md.update(b, off, len);
    }

    @Override
    public void update(ByteBuffer buf) {
        md.update(buf);
    }

    @Override
    public byte[] digest() {
        return md.digest();
    }

    @Override
    public void reset() {
        md.reset();
    }

    @Override
    public int digestLength() {
        return md.getDigestLength();
    }
}
