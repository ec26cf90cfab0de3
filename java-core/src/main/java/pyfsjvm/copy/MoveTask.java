package pyfsjvm.copy;

import pyfsjvm.bridge.FsException;
import pyfsjvm.hash.FileHasher;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * pyfs-watcher's {@code move_files}: {@code rename(2)} where it can, and across file systems a copy
 * that is verified before the source is deleted.
 *
 * <p>All sources are checked first (each exists, no destination exists unless {@code overwrite}, no
 * two land on one path), then moved in order. Missing parent directories are created. A
 * cross-device source is copied to exactly its destination (no double nesting, hidden files
 * included, symlinks as symlinks), every file's size (and with {@code verify} its BLAKE3 digest) is
 * compared with the source, and the source is checked to be unchanged since it was planned; only
 * then is the source deleted. If any of that fails, what was copied is removed again and the
 * source stays as it was.
 *
 * <p>Result: one destination path per source (the reference lists every file of a cross-device
 * directory move instead).
 */
public final class MoveTask extends Transfer {
    private final byte[][] sources;
    private final byte[] destination;
    private final boolean overwrite;
    private final boolean verify;
    private final boolean fsync;
    private final int workers;
    private final boolean dryRun;
    /** Index of the source whose rename failed (other than EXDEV), or -1: Python words that error. */
    private volatile int failedSource = -1;

    MoveTask(byte[][] sources, byte[] destination, boolean overwrite, boolean verify, boolean fsync, int workers,
             boolean dryRun) {
        this.dryRun = dryRun;
        this.sources = sources;
        this.destination = destination;
        this.overwrite = overwrite;
        this.verify = verify;
        this.fsync = fsync;
        this.workers = workers;
    }

    public int failedSource() {
        return failedSource;
    }

    @Override
    protected byte[] compute() throws FsException {
        Platform platform = Platform.get();
        Stat st = new Stat();
        boolean multiple = sources.length > 1;
        boolean destIsDir;
        try {
            platform.stat(destination, true, st);
            destIsDir = st.isDir();
        } catch (FsException e) {
            destIsDir = false;
        }
        destIsDir |= multiple;
        byte[][] targets = new byte[sources.length][];
        boolean[] replaces = new boolean[sources.length];
        int replaced = -1; // one source that replaces something, or -1
        Set<ByteBuffer> seen = new HashSet<>();
        for (int k = 0; k < sources.length; k++) {
            byte[] src = sources[k];
            platform.stat(src, false, st); // ENOENT here if it vanished since Python checked
            byte[] t = destIsDir ? PathBytes.join(destination, PathBytes.basename(src)) : destination;
            if (!seen.add(ByteBuffer.wrap(t))) {
                throw new FsException("EEXIST", t, "two sources would be moved to the same destination");
            }
            if (exists(platform, t)) {
                if (!overwrite) {
                    throw FileCopier.exists(t);
                }
                replaces[k] = true;
                replaced = k;
            }
            targets[k] = t;
        }
        planned = true;
        totalFiles = sources.length;
        if (dryRun) {
            return pack(Arrays.asList(targets));
        }
        List<byte[]> out = new ArrayList<>();
        // a rename over a file frees it, which on ext4 with discard waits for the device: the
        // replaced files are held across the rename and freed on other threads, as sync does
        try (Releases releases = replaced >= 0 ? Releases.where(RawPaths.path(PathBytes.parent(targets[replaced])))
                : null) {
            for (int k = 0; k < sources.length; k++) {
                cancel.check();
                byte[] src = sources[k];
                byte[] t = targets[k];
                mkdirs(PathBytes.parent(t));
                try {
                    if (releases != null && replaces[k]) {
                        releases.freeing(t, () -> rename(src, t));
                    } else {
                        rename(src, t);
                    }
                    filesDone.incrementAndGet();
                } catch (AtomicMoveNotSupportedException e) {
                    moveAcrossDevices(src, t);
                } catch (IOException e) {
                    failedSource = k;
                    throw FsException.from(e, t);
                }
                out.add(t);
            }
        }
        return pack(out);
    }

    private static void rename(byte[] src, byte[] t) throws IOException {
        Files.move(RawPaths.path(src), RawPaths.path(t), StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean exists(Platform platform, byte[] p) {
        try {
            platform.stat(p, false, new Stat());
            return true;
        } catch (FsException e) {
            return false;
        }
    }

    private static void mkdirs(byte[] dir) throws FsException {
        Path p = RawPaths.path(dir);
        if (!Files.isDirectory(p)) {
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw FsException.from(e, dir);
            }
        }
    }

    /** Copy, verify, and only then delete the source; on any failure take the copy back. */
    private void moveAcrossDevices(byte[] src, byte[] dst) throws FsException {
        Planner planner = new Planner(overwrite, false, cancel);
        planner.singleSource = true;
        planner.addSource(src, dst);
        Plan plan = planner.plan;
        totalBytes += plan.totalBytes;
        totalFiles += plan.totalFiles - 1; // this source counted once already
        CopyEngine e = new CopyEngine(plan, overwrite, true, fsync, workers, cancel, bytes, filesDone);
        engine = e;
        try {
            e.run();
            verifyCopy(plan, e);
        } catch (RuntimeException | FsException x) {
            e.rollback();
            throw x;
        }
        deleteSource(plan);
    }

    private void verifyCopy(Plan plan, CopyEngine e) throws FsException {
        Platform platform = Platform.get();
        Stat s = new Stat();
        Stat d = new Stat();
        FileHasher hs = verify ? new FileHasher(HashAlgorithm.of("blake3"), 1 << 20, cancel) : null;
        for (int i = 0; i < plan.count; i++) {
            cancel.check();
            platform.stat(plan.src[i], false, s);
            if (plan.kind[i] == Plan.DIR) {
                continue;
            }
            if (s.size != plan.size[i] || s.mtimeSec != plan.mtimeSec[i] || s.mtimeNsec != plan.mtimeNsec[i]) {
                throw new FsException("EIO", plan.src[i], "source changed while it was being moved; it was left in place");
            }
            if (plan.kind[i] != Plan.FILE) {
                continue;
            }
            platform.stat(plan.dst[i], false, d);
            if (d.size != s.size || e.copied[i] != s.size) {
                throw new FsException("EIO", plan.dst[i], "copy has the wrong size (" + d.size + " bytes, source "
                        + s.size + "); the source was left in place");
            }
            if (hs != null && !Arrays.equals(hs.hashFile(plan.src[i]),
                    hs.hashFile(plan.dst[i]))) {
                throw new FsException("EIO", plan.dst[i], "copy differs from the source (BLAKE3); the source was left in place");
            }
        }
    }

    /**
     * Deletes the source bottom-up. A directory that gained entries meanwhile is not removed. The
     * files are freed on other threads where unlinking waits for the device ({@link Releases}).
     */
    private void deleteSource(Plan plan) throws FsException {
        // one file gains nothing: close() would wait for its release right away
        try (Releases releases = plan.totalFiles > 1 ? Releases.where(RawPaths.path(PathBytes.parent(plan.src[0])))
                : null) {
            for (int i = plan.count - 1; i >= 0; i--) {
                Path p = RawPaths.path(plan.src[i]);
                try {
                    if (releases != null && plan.kind[i] != Plan.DIR) {
                        releases.freeing(plan.src[i], () -> Files.delete(p));
                    } else {
                        Files.delete(p);
                    }
                } catch (IOException x) {
                    throw FsException.from(x, plan.src[i]);
                }
            }
        }
    }
}
