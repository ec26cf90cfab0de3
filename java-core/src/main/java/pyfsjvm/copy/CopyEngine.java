package pyfsjvm.copy;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.ParallelFor;
import pyfsjvm.platform.NativeCopy;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries out a checked {@link Plan}: directories first (in order, parents before children), then
 * files and symlinks on several threads at once (many small files are bound by per-file system
 * calls, not bandwidth, so they overlap well), then directory modes and times bottom-up (a
 * read-only source directory is made read-only only after it has been filled).
 *
 * <p>A whole new tree (one source directory whose destination does not exist yet) is built under a
 * hidden sibling name ({@link PathBytes#tempSibling}) and renamed into place once complete, so its
 * files are written under their own names: a temporary name and a rename per file cost a third of
 * the kernel's time per small file on ext4 (docs/transfer.md). The tree then appears whole or not
 * at all, and the rename cannot replace anything that appeared at its name meanwhile
 * ({@link NativeCopy#renameNoReplace}, else {@link #claimAndReplace}). Without the native layer
 * (JDK 17) the files in the hidden tree still go by temporary names: the same result, not the
 * speed. Other copies (into an existing directory, several sources, {@code fsync}) put each file
 * in place by its own temporary name and rename.
 *
 * <p>The first failure stops the other threads (their unfinished files are removed) and is
 * rethrown. Files finished before it stay, complete; in a tree not yet published, nothing does: the
 * hidden tree is removed. {@link #done} lists what was made, so a move can take it back.
 */
public final class CopyEngine {
    final Plan plan;
    final boolean overwrite;
    final boolean preserve;
    final boolean fsync;
    final int workers;
    final Cancel cancel;
    /** Progress, read by Python while the copy runs. */
    final AtomicLong bytes;
    final AtomicInteger filesDone;
    volatile int current = -1;
    /** Rows done (created or published), for rollback. */
    final boolean[] done;
    final long[] copied;
    /** The hidden directory a new tree is built in ({@link #stagingDirectory}), or null. */
    private byte[] staged;
    /** Whether {@link #staged} has been renamed to its destination. */
    private boolean published;
    /** {@link NativeCopy#creationMask} of the staged tree, once made. */
    private int mask = -1;

    CopyEngine(Plan plan, boolean overwrite, boolean preserve, boolean fsync, int workers, Cancel cancel,
               AtomicLong bytes, AtomicInteger filesDone) {
        this.plan = plan;
        this.overwrite = overwrite;
        this.preserve = preserve;
        this.fsync = fsync;
        this.workers = workers;
        this.cancel = cancel;
        this.bytes = bytes;
        this.filesDone = filesDone;
        this.done = new boolean[plan.count];
        this.copied = new long[plan.count];
    }

    void run() throws FsException {
        staged = stagingDirectory();
        try {
            makeDirectories();
            NativeCopy nc = Platform.get().nativeCopy();
            if (staged != null && nc != null) {
                mask = nc.creationMask(staged);
            }
            copyEntries();
            publish();
        } catch (FsException | RuntimeException | Error e) {
            if (staged != null && !published) {
                rollback(); // the hidden tree: nothing of it is left
            }
            throw e;
        }
        if (preserve) {
            directoryMetadata();
        }
    }

    /** Where a new tree is built before it is published (see the class comment), or null. */
    private byte[] stagingDirectory() {
        if (plan.sources != 1 || plan.count == 0 || plan.kind[0] != Plan.DIR || !plan.top[0] || !plan.fresh[0]
                || fsync) {
            return null;
        }
        byte[] dst = plan.dst[0];
        byte[] name = PathBytes.basename(dst);
        boolean plain = dst.length > 0 && dst[dst.length - 1] != '/' && name.length > 0
                && !Arrays.equals(name, DOT) && !Arrays.equals(name, DOT_DOT);
        return plain ? PathBytes.tempSibling(dst) : null;
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOT_DOT = {'.', '.'};

    /** Where row {@code i} is written now: its destination, or its place in the staged tree. */
    private byte[] target(int i) {
        return staged == null || published ? plan.dst[i] : PathBytes.rebase(plan.dst[i], plan.dst[0], staged);
    }

    /** Renames the staged tree to its destination, which must still not exist. */
    private void publish() throws FsException {
        if (staged == null) {
            return;
        }
        cancel.check();
        byte[] dst = plan.dst[0];
        NativeCopy nc = Platform.get().nativeCopy();
        try {
            if (nc == null || !nc.renameNoReplace(staged, dst)) {
                claimAndReplace(nc, dst);
            }
        } catch (FsException e) {
            throw "EEXIST".equals(e.errno()) || "ENOTEMPTY".equals(e.errno()) ? FileCopier.exists(dst) : e;
        }
        published = true;
    }

    /**
     * Without RENAME_NOREPLACE: makes {@code dst} as an empty directory (which fails if anything is
     * there), then renames the staged tree over it, which replaces only an empty directory. If
     * someone puts a file into it in between, the rename fails and their file stays.
     */
    private void claimAndReplace(NativeCopy nc, byte[] dst) throws FsException {
        Path out = RawPaths.path(dst);
        try {
            Files.createDirectory(out);
        } catch (FileAlreadyExistsException e) {
            throw FileCopier.exists(dst);
        } catch (IOException e) {
            throw FsException.from(e, dst);
        }
        try {
            if (nc != null) {
                nc.rename(staged, dst);
            } else {
                Files.move(RawPaths.path(staged), out, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) { // FsException included
            try {
                Files.delete(out); // ours, if still empty
            } catch (IOException ignored) {
                // not empty: someone else's files are in it now
            }
            throw FsException.from(e, dst);
        }
    }

    private void makeDirectories() throws FsException {
        for (int i = 0; i < plan.count; i++) {
            cancel.check();
            byte[] d = plan.dst[i];
            if (plan.kind[i] != Plan.DIR) {
                if (!plan.fresh[i]) {
                    mkdirs(PathBytes.parent(d)); // a file source's missing parents
                }
                continue;
            }
            Path p = RawPaths.path(target(i));
            try {
                if (plan.top[i]) {
                    if (staged != null || !Files.isDirectory(p)) {
                        mkdirs(PathBytes.parent(d));
                        Files.createDirectory(p);
                        done[i] = true;
                    }
                } else {
                    Files.createDirectory(p);
                    done[i] = true;
                }
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw FileCopier.exists(d);
                }
            } catch (IOException e) {
                throw FsException.from(e, d);
            }
        }
    }

    private static void mkdirs(byte[] dir) throws FsException {
        Path p = RawPaths.path(dir);
        if (Files.isDirectory(p)) {
            return;
        }
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw FsException.from(e, dir);
        }
    }

    /** The most files of one directory a worker takes at once (see {@link #copyEntries}). */
    private static final int RUN = 256;

    private void copyEntries() throws FsException {
        int[] rows = new int[plan.count];
        int n = 0;
        for (int i = 0; i < plan.count; i++) {
            if (plan.kind[i] != Plan.DIR) {
                rows[n++] = i;
            }
        }
        if (n == 0) {
            return;
        }
        // Workers take a directory's files as one run (up to RUN), not file by file: creating and
        // renaming files takes the directory's lock, and two workers in one directory spent a
        // quarter of a small-file copy waiting on each other.
        int[] runStart = new int[n + 1];
        int runs = 0;
        for (int k = 0; k < n; k++) {
            if (k == 0 || k - runStart[runs - 1] >= RUN || !PathBytes.sameParent(plan.dst[rows[k - 1]], plan.dst[rows[k]])) {
                runStart[runs++] = k;
            }
        }
        runStart[runs] = n;
        int[] rowsF = rows;
        int[] runStartF = runStart;
        // Copiers are per thread; a failure cancels the others mid-file (their temporary files are removed).
        try (Releases releases = releasesFor(rows, n)) {
            ParallelFor.run(runs, workers, cancel, () -> new FileCopier(preserve, fsync, cancel, bytes, releases),
                    (copier, r) -> {
                for (int k = runStartF[r]; k < runStartF[r + 1]; k++) {
                    if (k > runStartF[r]) {
                        cancel.check();
                    }
                    int i = rowsF[k];
                    current = i;
                    if (staged != null) {
                        copyStaged(copier, i);
                    } else {
                        // Only a destination we did not create could have appeared since the check.
                        boolean noReplace = !overwrite && !plan.fresh[i];
                        if (plan.kind[i] == Plan.FILE) {
                            copied[i] = copier.copyFile(plan.src[i], plan.dst[i], noReplace, plan.replaces[i]);
                        } else {
                            copier.copySymlink(plan.src[i], plan.dst[i], noReplace);
                        }
                    }
                    done[i] = true;
                    filesDone.incrementAndGet();
                }
            });
        }
    }

    /** Row {@code i} straight to its place in the staged tree; an error names its destination. */
    private void copyStaged(FileCopier copier, int i) throws FsException {
        byte[] to = target(i);
        try {
            if (plan.kind[i] == Plan.FILE) {
                copied[i] = copier.copyFileFresh(plan.src[i], to, mask);
            } else {
                copier.copySymlink(plan.src[i], to, true);
            }
        } catch (FsException e) {
            throw e.path() != null && Arrays.equals(e.path(), to) ? new FsException(e.errno(), plan.dst[i], e.reason()) : e;
        }
    }

    /**
     * Frees the files that overwriting copies replace on other threads ({@link Releases}), where
     * that helps: on ext4 mounted with {@code discard}, a rename over a file waited for the device
     * to discard the old file's blocks, holding the directory's lock.
     */
    private Releases releasesFor(int[] rows, int n) throws FsException {
        for (int k = 0; k < n; k++) {
            int i = rows[k];
            if (plan.kind[i] == Plan.FILE && plan.replaces[i]) {
                return Releases.where(RawPaths.path(PathBytes.parent(plan.dst[i])));
            }
        }
        return null;
    }

    private void directoryMetadata() throws FsException {
        Stat st = new Stat();
        Platform platform = Platform.get();
        for (int i = plan.count - 1; i >= 0; i--) {
            if (plan.kind[i] != Plan.DIR) {
                continue;
            }
            cancel.check();
            platform.stat(plan.src[i], true, st);
            FileCopier.setMetadata(RawPaths.path(plan.dst[i]), plan.dst[i], st.mode, st.atimeSec, st.atimeNsec,
                    st.mtimeSec, st.mtimeNsec);
        }
    }

    /**
     * Best-effort removal of everything this copy created (files, links, then emptied directories),
     * where it is now: in the hidden tree until it is published (a worker that failed has removed
     * its unfinished file). Each row is then no longer done, so a second call does nothing.
     */
    void rollback() {
        for (int i = plan.count - 1; i >= 0; i--) {
            if (!done[i]) {
                continue;
            }
            done[i] = false;
            try {
                Path p = RawPaths.path(target(i));
                if (plan.kind[i] == Plan.DIR) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(p); // only if empty: never removes anything we did not make
                    }
                } else {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // leave it; the source is intact either way
            }
        }
    }
}
