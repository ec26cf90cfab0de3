package pyfsjvm.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one failure type that crosses the bridge. It carries what Python needs to raise the right
 * exception: the symbolic errno name ({@code "ENOENT"}, or null for a domain error), the path as raw
 * bytes (never as a String, see DESIGN.md), and the operating system's reason.
 *
 * <p>Python (pyfs_jvm/_bridge.py) turns it into the family's error class, mixed with the matching
 * OSError subclass, with {@code errno}, {@code strerror} and {@code filename} set.
 */
public final class FsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String errno;
    private final byte[] path;
    private final String reason;

    public FsException(String errno, byte[] path, String reason) {
        super(describe(errno, path, reason));
        this.errno = errno;
        this.path = path;
        this.reason = reason;
    }

    /** A domain error with a message of its own and no OS cause (e.g. "path is not a directory"). */
    public static FsException domain(String message, byte[] path) {
        return new FsException(null, path, message);
    }

    /** Maps an NIO exception for {@code path} to its errno. */
    public static FsException from(IOException e, byte[] path) {
        if (e instanceof FsException fe) {
            return fe;
        }
        String errno = Errno.of(e);
        return new FsException(errno, path, Errno.reason(errno, e));
    }

    /** Symbolic errno name as in Python's {@code errno} module, or null for a domain error. */
    public String errno() {
        return errno;
    }

    /** The path the failure is about, as raw bytes, or null. */
    public byte[] path() {
        return path;
    }

    /** The OS reason ("Permission denied") or, for a domain error, the message. */
    public String reason() {
        return reason;
    }

    private static String describe(String errno, byte[] path, String reason) {
        // Only for Java-side logs and tests; Python builds its own message from the fields.
        String p = path == null ? "" : new String(path, StandardCharsets.UTF_8) + ": ";
        return errno == null ? p + reason : p + reason + " (" + errno + ")";
    }
}
