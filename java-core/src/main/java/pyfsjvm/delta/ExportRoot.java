package pyfsjvm.delta;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.RawPaths;

/**
 * The directory a server exports, and the only place that turns a client's {@code filename} into
 * a path. The URL path is taken relative to the root ({@code /x/y} is {@code <root>/x/y}), which
 * keeps the real pdiffcopy client working: it always sends the URL path.
 *
 * <p>Refused: {@code ..} components, NUL bytes, and anything whose real path (symlinks resolved)
 * is outside the root, including a dangling symlink (its target could be created anywhere). For a
 * path that does not exist yet, the nearest existing ancestor is resolved and checked. Opening
 * then uses the real path with NOFOLLOW_LINKS on the last component; a concurrent swap of an
 * intermediate directory by someone who can write inside the root is the remaining race.
 */
final class ExportRoot {
    private final Path real;
    private final byte[] realBytes;

    ExportRoot(byte[] root) throws FsException {
        Path p = RawPaths.path(root);
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw FsException.from(e, root);
        }
        if (!Files.isDirectory(real)) {
            throw new FsException("ENOTDIR", root, "Not a directory");
        }
        realBytes = RawPaths.bytes(real);
    }

    Path real() {
        return real;
    }

    /** A resolved, confined path; {@code exists} says whether it existed when resolved. */
    record Resolved(Path path, boolean exists) {}

    /** Resolves a percent-decoded {@code filename}; throws HttpError 400/403. */
    Resolved resolve(byte[] filename) throws HttpError, FsException {
        ByteArrayOutputStream joined = new ByteArrayOutputStream(realBytes.length + filename.length + 1);
        joined.writeBytes(realBytes);
        int start = 0;
        boolean any = false;
        for (int i = 0; i <= filename.length; i++) {
            if (i < filename.length && filename[i] == 0) {
                throw new HttpError(400, "filename contains a NUL byte");
            }
            if (i == filename.length || filename[i] == '/') {
                int len = i - start;
                boolean dot = len == 1 && filename[start] == '.';
                boolean dotdot = len == 2 && filename[start] == '.' && filename[start + 1] == '.';
                if (dotdot) {
                    throw new HttpError(403, "'..' is not allowed in filename");
                }
                if (len > 0 && !dot) {
                    if (joined.size() > 0 && !(joined.size() == 1 && realBytes.length == 1)) {
                        joined.write('/');
                    }
                    joined.write(filename, start, len);
                    any = true;
                }
                start = i + 1;
            }
        }
        if (!any) {
            throw new HttpError(400, "filename names the export root itself, not a file");
        }
        return confine(RawPaths.path(joined.toByteArray()));
    }

    /** The real path of {@code candidate} (or of its nearest existing ancestor plus the rest), if inside. */
    Resolved confine(Path candidate) throws HttpError, FsException {
        Deque<Path> rest = new ArrayDeque<>();
        Path p = candidate;
        while (p != null) {
            try {
                Path r = p.toRealPath();
                if (!r.startsWith(real)) {
                    throw new HttpError(403, "path leads outside the export root");
                }
                for (Path name : rest) {
                    r = r.resolve(name);
                }
                return new Resolved(r, rest.isEmpty());
            } catch (NoSuchFileException e) {
                if (Files.isSymbolicLink(p)) {
                    throw new HttpError(403, "dangling symlink in path");
                }
                rest.addFirst(p.getFileName());
                p = p.getParent();
            } catch (IOException e) {
                throw FsException.from(e, RawPaths.bytes(candidate));
            }
        }
        throw new HttpError(403, "path leads outside the export root");
    }

    /** A path's raw bytes for a log record or error (never fails). */
    static byte[] raw(Path p) {
        try {
            return RawPaths.bytes(p);
        } catch (FsException e) {
            return p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
}
