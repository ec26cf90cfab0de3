package pyfsjvm.copy;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Carries out a checked {@link Plan}: directories first (in order, parents before children), then
 * files and symlinks on several threads at once (many small files are bound by per-file system
 * calls, not bandwidth, so they overlap well), then directory modes and times bottom-up (a
 * read-only source directory is made read-only only after it has been filled).
 *
 * <p>The first failure stops the other threads (their unfinished temporary files are removed) and
 * is rethrown; files finished before it stay, complete. {@link #created} lists what was made, so a
 * move can take it back.
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
        makeDirectories();
        copyEntries();
        if (preserve) {
            directoryMetadata();
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
            Path p = RawPaths.path(d);
            try {
                if (plan.top[i]) {
                    if (!Files.isDirectory(p)) {
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
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        final int total = n;
        Runnable loop = () -> {
            FileCopier copier = new FileCopier(preserve, fsync, cancel, bytes);
            try {
                int k;
                while (failure.get() == null && (k = next.getAndIncrement()) < total) {
                    int i = rows[k];
                    current = i;
                    // Only a destination we did not create could have appeared since the check.
                    boolean noReplace = !overwrite && !plan.fresh[i];
                    if (plan.kind[i] == Plan.FILE) {
                        copied[i] = copier.copyFile(plan.src[i], plan.dst[i], noReplace);
                    } else {
                        copier.copySymlink(plan.src[i], plan.dst[i], noReplace);
                    }
                    done[i] = true;
                    filesDone.incrementAndGet();
                }
            } catch (Throwable t) {
                if (failure.compareAndSet(null, t) && !(t instanceof Cancel.CancelledException)) {
                    cancel.cancel(); // stop the others now; their temporary files are removed
                }
            }
        };
        int threads = Math.max(1, Math.min(workers, total));
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 1; w < threads; w++) {
            futures.add(Workers.pool().submit(loop));
        }
        loop.run();
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    cancel.cancel(); // keep waiting: no thread may write after we return
                } catch (java.util.concurrent.ExecutionException e) {
                    break;
                }
            }
        }
        Throwable t = failure.get();
        if (t instanceof FsException fe) {
            throw fe;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error er) {
            throw er;
        }
        cancel.check();
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

    /** Best-effort removal of everything this copy created (files, links, then emptied directories). */
    void rollback() {
        for (int i = plan.count - 1; i >= 0; i--) {
            if (!done[i]) {
                continue;
            }
            try {
                Path p = RawPaths.path(plan.dst[i]);
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
