package pyfsjvm.hash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The registry of hash algorithms by the names Python uses ({@code "blake3"}, {@code "sha256"},
 * ...). Unknown names are rejected here, before any file is opened.
 */
public final class HashAlgorithm {
    private static final Map<String, HashAlgorithm> BY_NAME = new LinkedHashMap<>();

    static {
        register(new HashAlgorithm("blake3", 32, Blake3Hasher::new));
        jdk("sha256", "SHA-256");
        jdk("sha1", "SHA-1");
        jdk("sha224", "SHA-224");
        jdk("sha384", "SHA-384");
        jdk("sha512", "SHA-512");
        jdk("md5", "MD5");
        jdk("sha3-256", "SHA3-256");
        jdk("sha3-512", "SHA3-512");
        // The rest of what Python's hashlib offers through the JDK (pdiffcopy peers may ask for them).
        jdk("sha3-224", "SHA3-224");
        jdk("sha3-384", "SHA3-384");
        jdk("sha512-224", "SHA-512/224");
        jdk("sha512-256", "SHA-512/256");
    }

    private final String name;
    private final int digestLength;
    private final Supplier<Hasher> factory;

    private HashAlgorithm(String name, int digestLength, Supplier<Hasher> factory) {
        this.name = name;
        this.digestLength = digestLength;
        this.factory = factory;
    }

    /** The algorithm called {@code name} (case-insensitive), or IllegalArgumentException. */
    public static HashAlgorithm of(String name) {
        HashAlgorithm a = name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
        if (a == null) {
            throw new IllegalArgumentException(
                    "unsupported hash algorithm: " + name + " (supported: " + String.join(", ", names()) + ")");
        }
        return a;
    }

    /** Every supported name, the default ({@code blake3}) first. */
    public static List<String> names() {
        return Collections.unmodifiableList(List.copyOf(BY_NAME.keySet()));
    }

    public String name() {
        return name;
    }

    public int digestLength() {
        return digestLength;
    }

    public Hasher newHasher() {
        return factory.get();
    }

    private static void register(HashAlgorithm a) {
        BY_NAME.put(a.name, a);
    }

    private static void jdk(String name, String jdkName) {
        MessageDigest probe;
        try {
            probe = MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            return; // not in this JDK's providers: simply not offered
        }
        register(new HashAlgorithm(name, probe.getDigestLength(), () -> {
            try {
                return new JdkHasher(MessageDigest.getInstance(jdkName));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    @Override
    public String toString() {
        return name;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Lower-case hex of {@code d} into {@code hex} (twice its length), as ASCII bytes for a batch. */
    public static void toHex(byte[] d, byte[] hex) {
        for (int k = 0; k < d.length; k++) {
            hex[2 * k] = HEX[(d[k] >>> 4) & 0xF];
            hex[2 * k + 1] = HEX[d[k] & 0xF];
        }
    }

    /** Lower-case hex of {@code d} as new ASCII bytes. */
    public static byte[] hexBytes(byte[] d) {
        byte[] hex = new byte[2 * d.length];
        toHex(d, hex);
        return hex;
    }
}
