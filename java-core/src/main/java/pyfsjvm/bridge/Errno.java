package pyfsjvm.bridge;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Map;

/**
 * Symbolic errno names for NIO exceptions. NIO reports most failures as a plain
 * {@link FileSystemException} whose reason is the C library's strerror text, so the reason string
 * is mapped back to its errno here. Names are those of Python's {@code errno} module, which is
 * portable where the numbers are not.
 */
public final class Errno {
    private Errno() {}

    private static final Map<String, String> BY_REASON = Map.ofEntries(
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("Not a directory", "ENOTDIR"),
            Map.entry("Is a directory", "EISDIR"),
            Map.entry("File exists", "EEXIST"),
            Map.entry("Directory not empty", "ENOTEMPTY"),
            Map.entry("Too many levels of symbolic links", "ELOOP"),
            Map.entry("No space left on device", "ENOSPC"),
            Map.entry("Disk quota exceeded", "EDQUOT"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Invalid cross-device link", "EXDEV"),
            Map.entry("File name too long", "ENAMETOOLONG"),
            Map.entry("Too many open files", "EMFILE"),
            Map.entry("Input/output error", "EIO"),
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("Stale file handle", "ESTALE"),
            Map.entry("Text file busy", "ETXTBSY"),
            Map.entry("File too large", "EFBIG"),
            Map.entry("Device or resource busy", "EBUSY"),
            Map.entry("Bad file descriptor", "EBADF"),
            Map.entry("No such device or address", "ENXIO"),
            Map.entry("Operation not supported", "EOPNOTSUPP"));

    private static final Map<String, String> REASON_BY_ERRNO = invert();

    private static Map<String, String> invert() {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        BY_REASON.forEach((reason, errno) -> m.put(errno, reason));
        return Map.copyOf(m);
    }

    /** The errno name for an NIO exception, or "EIO" when it cannot be told. */
    public static String of(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "ENOENT";
        }
        if (e instanceof AccessDeniedException) {
            return "EACCES";
        }
        if (e instanceof NotDirectoryException) {
            return "ENOTDIR";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "ENOTEMPTY";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "EEXIST";
        }
        if (e instanceof FileSystemLoopException) {
            return "ELOOP";
        }
        if (e instanceof NotLinkException) {
            return "EINVAL";
        }
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (reason != null) {
            String errno = BY_REASON.get(reason);
            if (errno != null) {
                return errno;
            }
            // Some messages carry extra words, e.g. "No space left on device" inside a write error.
            for (Map.Entry<String, String> en : BY_REASON.entrySet()) {
                if (reason.contains(en.getKey())) {
                    return en.getValue();
                }
            }
        }
        return "EIO";
    }

    /** The strerror text for an errno name, falling back to the exception's own reason. */
    public static String reason(String errno, IOException e) {
        String known = REASON_BY_ERRNO.get(errno);
        if (known != null) {
            return known;
        }
        String r = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return r != null ? r : e.getClass().getSimpleName();
    }

    /** The strerror text for an errno name, or the name itself. */
    public static String reason(String errno) {
        return REASON_BY_ERRNO.getOrDefault(errno, errno);
    }
}
