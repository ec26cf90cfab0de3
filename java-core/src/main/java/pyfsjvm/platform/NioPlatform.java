package pyfsjvm.platform;

import pyfsjvm.bridge.Errno;
import pyfsjvm.bridge.FsException;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;

/**
 * The portable layer: {@code DirectoryStream} and {@code readAttributes}. NIO gives no
 * {@code d_type}, so every entry costs one stat; where the stream is a
 * {@link SecureDirectoryStream} (Linux) that stat is {@code fstatat} relative to the open
 * directory rather than a walk down the whole path again.
 */
public final class NioPlatform implements Platform {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final LinkOption[] FOLLOW = {};

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public boolean exactNames() {
        return RawPaths.exact();
    }

    @Override
    public boolean hasBlocks() {
        return false;
    }

    @Override
    public void readDirectory(byte[] dir, int want, DirListing out) throws FsException {
        out.clear((want & WANT_STAT) != 0, (want & WANT_SIZES_ONLY) != 0);
        boolean follow = (want & WANT_FOLLOW) != 0;
        Path dirPath = RawPaths.path(dir);
        Stat st = new Stat();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dirPath)) {
            SecureDirectoryStream<Path> sds = ds instanceof SecureDirectoryStream<Path> s ? s : null;
            // Names first, then the stats: the listing sizes its stat array once.
            ArrayList<Path> children = new ArrayList<>();
            for (Path child : ds) {
                byte[] raw;
                try {
                    raw = RawPaths.bytes(child.getFileName());
                } catch (FsException e) {
                    int i = out.add(e.path(), 0, e.path().length, FileType.UNKNOWN);
                    out.setError(i, e.errno());
                    children.add(null);
                    continue;
                }
                out.add(raw, 0, raw.length, FileType.UNKNOWN);
                children.add(child);
            }
            out.reserveStat();
            for (int i = 0; i < children.size(); i++) {
                Path child = children.get(i);
                if (child != null) {
                    statEntry(sds, child, child.getFileName(), follow, st, out, i);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw FsException.from(e.getCause(), dir);
        } catch (IOException e) {
            throw FsException.from(e, dir);
        }
    }

    private static void statEntry(SecureDirectoryStream<Path> sds, Path child, Path name, boolean follow,
                                  Stat st, DirListing out, int i) {
        try {
            BasicFileAttributes a = read(sds, child, name, NOFOLLOW);
            NioAttributes.fill(a, child, NOFOLLOW, st);
            if (follow && st.type == FileType.SYMLINK) {
                try {
                    BasicFileAttributes t = read(sds, child, name, FOLLOW);
                    NioAttributes.fill(t, child, FOLLOW, st);
                    out.setLink(i, DirListing.FOLLOWED);
                } catch (IOException broken) {
                    // A broken or looping link keeps its own lstat; the walker reports it.
                    out.setLink(i, DirListing.BROKEN);
                    out.setError(i, Errno.of(broken));
                }
            }
            out.setStat(i, st);
        } catch (IOException e) {
            out.setError(i, Errno.of(e));
        }
    }

    private static BasicFileAttributes read(SecureDirectoryStream<Path> sds, Path child, Path name,
                                            LinkOption[] opts) throws IOException {
        if (sds != null) {
            return sds.getFileAttributeView(name, BasicFileAttributeView.class, opts).readAttributes();
        }
        return Files.readAttributes(child, BasicFileAttributes.class, opts);
    }

    @Override
    public void stat(byte[] path, boolean follow, Stat out) throws FsException {
        Path p = RawPaths.path(path);
        LinkOption[] opts = follow ? FOLLOW : NOFOLLOW;
        try {
            NioAttributes.fill(Files.readAttributes(p, BasicFileAttributes.class, opts), p, opts, out);
        } catch (IOException e) {
            throw FsException.from(e, path);
        }
    }
}
