package pyfsjvm.diff;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.ParallelFor;
import pyfsjvm.bridge.Task;
import pyfsjvm.copy.FileCopier;
import pyfsjvm.copy.Releases;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.Glob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * pyfs-watcher's {@code sync}: make {@code target} hold what {@code source} holds.
 *
 * <p>Both trees are listed once with the shared walker (symlinks never followed, so nothing outside
 * either root is ever touched) and merged by relative path. A file is up to date when it has the same
 * size and modification time (nanoseconds) as its source, the fast path {@code rsync} also uses; with
 * {@code checksum}, or when only the times differ, same-size pairs are compared byte by byte
 * ({@link SameContent}: a yes or no needs no digest, and a changed pair stops at its first block). Files are
 * copied on several threads through {@link FileCopier} (temporary name, then rename: an interrupted
 * sync never leaves a truncated file). Directories (empty ones too) are created, and symlinks
 * recreated as symlinks. With {@code deleteExtra}, target entries missing from the source are removed
 * bottom-up, directories only once empty. A {@code dryRun} reads both trees (and compares) but writes
 * nothing.
 *
 * <p>Per-entry failures never stop the sync; they are collected (relative path, errno, message).
 * Every list in the result is sorted by path.
 */
public final class SyncTask extends Task<byte[][]> {
    private final byte[] source;
    private final byte[] target;
    private final boolean deleteExtra;
    private final boolean skipHidden;
    private final Glob glob;
    private final int maxDepth;
    private final boolean dryRun;
    private final boolean preserve;
    private final boolean checksum;
    private final boolean events;
    private final int workers;

    private record Event(String stage, byte[] rel, int done, int total, long bytes) {}

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final Object eventOrder = new Object(); // see fileDone
    private volatile int total;

    SyncTask(byte[] source, byte[] target, boolean deleteExtra, boolean skipHidden,
             Glob glob, int maxDepth, boolean dryRun, boolean preserve, boolean checksum, boolean events,
             int workers) {
        this.source = source;
        this.target = target;
        this.deleteExtra = deleteExtra;
        this.skipHidden = skipHidden;
        this.glob = glob;
        this.maxDepth = maxDepth;
        this.dryRun = dryRun;
        this.preserve = preserve;
        this.checksum = checksum;
        this.events = events;
        this.workers = workers;
    }

    /** Progress events since the last call, packed "ssiiq": stage, relative path, done, total, bytes. */
    public byte[] events() {
        Columns c = new Columns("ssiiq", 64);
        Event e;
        while ((e = queue.poll()) != null) {
            int r = c.addRow();
            byte[] s = e.stage.getBytes(StandardCharsets.US_ASCII);
            c.putString(0, s, 0, s.length);
            c.putString(1, e.rel, 0, e.rel.length);
            c.setInt(2, r, e.done);
            c.setInt(3, r, e.total);
            c.setLong(4, r, e.bytes);
        }
        return c.pack();
    }

    private void event(String stage, byte[] rel, int d, int t, long b) {
        if (events) {
            queue.add(new Event(stage, rel, d, t, b));
            wake();
        }
    }

    /**
     * One file finished. Counting and queueing happen under one lock: with parallel copies, a
     * worker that counted second could otherwise queue first, and the caller saw
     * files_completed go 1, 2, 4, 3.
     */
    private void fileDone(byte[] rel) {
        synchronized (eventOrder) {
            event("syncing", rel, done.incrementAndGet(), total, bytes.get());
        }
    }

    // Per source row: what to do.
    private static final byte NOTHING = 0, SKIP = 1, COPY = 2, LINK = 3, MKDIR = 4, TOUCH = 5, FAIL = 6;

    @Override
    protected byte[][] compute() throws FsException {
        cancel.check();
        long t0 = System.nanoTime();
        event("walking", new byte[0], 0, 0, 0);
        int kinds = EntryTable.FILES | EntryTable.DIRS | EntryTable.SYMLINKS;
        boolean haveTarget = Files.isDirectory(RawPaths.path(target));
        if (!haveTarget && !dryRun) {
            mkdirs(target); // Python creates it first; this is for other callers
        }
        Trees.Pending pb = haveTarget ? Trees.listLater(target, kinds, skipHidden, maxDepth, null, cancel, "sync") : null;
        EntryTable a;
        try {
            a = Trees.list(source, kinds, skipHidden, maxDepth, null, cancel, "sync");
        } catch (FsException | RuntimeException e) {
            if (pb != null) {
                pb.abandon();
            }
            throw e;
        }
        EntryTable b = pb == null ? null : pb.get();
        int nb = b == null ? 0 : b.count();
        boolean[] useA = filter(a);
        boolean[] useB = b == null ? new boolean[0] : filter(b);
        int sourceFiles = 0;
        for (int i = 0; i < a.count(); i++) {
            if (useA[i] && a.type(i) != FileType.DIR) {
                sourceFiles++;
            }
        }
        cancel.check();
        long t1 = System.nanoTime();
        event("comparing", new byte[0], 0, sourceFiles, 0);

        byte[] action = new byte[a.count()];
        int[] match = new int[a.count()];
        Arrays.fill(match, -1);
        boolean[] extra = new boolean[nb];
        String[] failText = new String[a.count()];
        String[] failErrno = new String[a.count()];
        int i = 0, j = 0;
        while (i < a.count() || j < nb) {
            if (i < a.count() && !useA[i]) {
                i++;
                continue;
            }
            if (j < nb && !useB[j]) {
                j++;
                continue;
            }
            int c = i >= a.count() ? 1 : j >= nb ? -1 : Trees.compare(a, i, b, j);
            if (c > 0) {
                extra[j++] = true;
                continue;
            }
            int y = c == 0 ? j++ : -1;
            match[i] = y;
            byte ta = a.type(i);
            byte tb = y < 0 ? -1 : b.type(y);
            if (ta == FileType.DIR) {
                if (y < 0) {
                    action[i] = MKDIR;
                } else if (tb != FileType.DIR) {
                    action[i] = FAIL;
                    failErrno[i] = "EEXIST";
                    failText[i] = "failed to create directory: target has a non-directory here, not replaced";
                }
            } else if (y >= 0 && tb == FileType.DIR) {
                action[i] = FAIL;
                failErrno[i] = "EISDIR";
                failText[i] = "target is a directory, not replaced";
            } else if (ta == FileType.SYMLINK) {
                action[i] = y >= 0 && tb == FileType.SYMLINK && sameLink(a.path(i), b.path(y)) ? SKIP : LINK;
            } else if (y < 0 || tb != FileType.FILE || a.size(i) != b.size(y)) {
                action[i] = COPY;
            } else if (!checksum && a.mtimeSec(i) == b.mtimeSec(y) && a.mtimeNsec(i) == b.mtimeNsec(y)) {
                action[i] = SKIP;
            } else {
                action[i] = TOUCH; // same size: decided by content below
            }
            i++;
        }

        // Same-size pairs whose times differ (or all of them with checksum): compare contents.
        int[] toCompare = rows(action, TOUCH);
        ParallelFor.run(toCompare.length, workers, cancel, () -> new SameContent(cancel), (c, n) -> {
            int x = toCompare[n];
            int y = match[x];
            boolean same = sameContent(c, a.path(x), b.path(y), a.size(x));
            boolean timesDiffer = a.mtimeSec(x) != b.mtimeSec(y) || a.mtimeNsec(x) != b.mtimeNsec(y);
            action[x] = !same ? COPY : preserve && timesDiffer ? TOUCH : SKIP;
        });

        int[] copies = rows(action, COPY, LINK);
        int[] dirs = rows(action, MKDIR);
        int[] deletes = deleteExtra ? extraRows(b, extra) : new int[0];
        total = copies.length + deletes.length;
        long t2 = System.nanoTime();
        event("syncing", new byte[0], 0, total, 0);

        boolean[] ok = new boolean[a.count()];
        boolean[] deleted = new boolean[nb];
        byte[][] r;
        long t3;
        long t4;
        long tTimes = 0;
        // the replaced files are freed while the rest goes on; closing waits for the last of them
        try (Releases releases = dryRun ? null : releasesFor(copies, match, deletes.length > 0)) {
            if (dryRun) {
                Arrays.fill(ok, true);
                Arrays.fill(deleted, true);
            } else {
                makeDirectories(a, dirs, action, failErrno, failText);
                copyAll(a, match, copies, action, ok, failErrno, failText, releases);
                deleteAll(b, deletes, deleted, releases);
                tTimes = System.nanoTime();
                fixTimes(a, b, match, action, writtenDirs(a, b, copies, dirs, deletes));
            }
            t3 = System.nanoTime();
            r = result(a, b, action, ok, deletes, deleted, failErrno, failText);
            t4 = System.nanoTime();
        }
        if (Log.enabled(Log.DEBUG)) {
            Log.debug("sync", String.format("walk %.0f ms (%d + %d entries), compare %.0f ms (%d compared), "
                    + "write %.0f ms (%d copies, %d deletes; modes and times %.0f ms), result %.0f ms, "
                    + "last releases %.0f ms",
                    (t1 - t0) / 1e6, a.count(), nb, (t2 - t1) / 1e6, toCompare.length, (t3 - t2) / 1e6,
                    copies.length, deletes.length, tTimes == 0 ? 0 : (t3 - tTimes) / 1e6, (t4 - t3) / 1e6,
                    (System.nanoTime() - t4) / 1e6));
        }
        return r;
    }

    /**
     * Frees what the copies replace and what is deleted on other threads ({@link Releases}), when
     * there is some and the target's file system is one where that helps.
     */
    private Releases releasesFor(int[] copies, int[] match, boolean deletes) throws FsException {
        boolean frees = deletes;
        for (int i : copies) {
            frees |= match[i] >= 0;
        }
        return frees ? Releases.where(RawPaths.path(target)) : null;
    }

    /** Rows the caller asked about: the glob (basenames) picks files and links; dirs only without a glob. */
    private boolean[] filter(EntryTable t) {
        boolean[] use = new boolean[t.count()];
        for (int i = 0; i < t.count(); i++) {
            if (t.type(i) == FileType.DIR) {
                use[i] = glob == null;
            } else if (glob == null) {
                use[i] = true;
            } else {
                byte[] p = t.pathBytes(i);
                int end = t.pathStart(i) + t.pathLength(i);
                int s = end;
                while (s > t.pathStart(i) && p[s - 1] != '/') {
                    s--;
                }
                use[i] = glob.matches(p, s, end - s);
            }
        }
        return use;
    }

    private static int[] rows(byte[] action, byte... wanted) {
        int n = 0;
        int[] out = new int[action.length];
        for (int i = 0; i < action.length; i++) {
            for (byte w : wanted) {
                if (action[i] == w) {
                    out[n++] = i;
                    break;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Target-only rows to delete, deepest first (children before their directory). */
    private static int[] extraRows(EntryTable b, boolean[] extra) {
        int n = 0;
        int[] out = new int[extra.length];
        for (int j = extra.length - 1; j >= 0; j--) {
            if (extra[j]) {
                out[n++] = j;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean sameLink(byte[] x, byte[] y) {
        try {
            return Files.readSymbolicLink(RawPaths.path(x)).equals(Files.readSymbolicLink(RawPaths.path(y)));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the pair holds the same bytes; a side that cannot be read means "copy". */
    private static boolean sameContent(SameContent c, byte[] a, byte[] b, long size) throws FsException {
        try {
            return c.same(a, b, size);
        } catch (FsException e) {
            if ("EILSEQ".equals(e.errno())) {
                throw e;
            }
            Log.warning("sync", "cannot compare (" + e.reason() + "), copying", e.path() != null ? e.path() : a);
            return false;
        }
    }

    private byte[] targetOf(EntryTable a, int i) {
        return pyfsjvm.copy.PathBytes.join(target, rel(a, i));
    }

    private static byte[] rel(EntryTable t, int i) {
        return Arrays.copyOfRange(t.pathBytes(i), t.pathStart(i) + t.relativeOffset(i), t.pathStart(i) + t.pathLength(i));
    }

    private void makeDirectories(EntryTable a, int[] dirs, byte[] action, String[] errno, String[] text) {
        for (int i : dirs) {
            cancel.check();
            byte[] dst = targetOf(a, i);
            try {
                Files.createDirectory(RawPaths.path(dst));
            } catch (FileAlreadyExistsException e) {
                if (!isDir(dst)) {
                    fail(i, action, errno, text, "EEXIST", "failed to create directory: File exists");
                }
            } catch (IOException e) {
                FsException fe = FsException.from(e, null);
                fail(i, action, errno, text, fe.errno(), "failed to create directory: " + fe.reason());
            }
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

    private static boolean isDir(byte[] p) {
        try {
            return Files.isDirectory(RawPaths.path(p));
        } catch (FsException e) {
            return false;
        }
    }

    private static void fail(int i, byte[] action, String[] errno, String[] text, String en, String msg) {
        action[i] = FAIL;
        errno[i] = en;
        text[i] = msg;
    }

    /**
     * Copies the {@code copies} rows; {@code match[i] >= 0}: row i's target exists and is replaced
     * (and {@code releases}, if given, frees it).
     */
    private void copyAll(EntryTable a, int[] match, int[] copies, byte[] action, boolean[] ok, String[] errno,
                         String[] text, Releases releases) throws FsException {
        ParallelFor.run(copies.length, workers, cancel, () -> new FileCopier(preserve, false, cancel, bytes, releases),
                (copier, n) -> {
                    int i = copies[n];
                    byte[] dst = targetOf(a, i);
                    try {
                        if (glob != null) {
                            mkdirs(pyfsjvm.copy.PathBytes.parent(dst)); // directories are not synced with a glob
                        }
                        if (action[i] == LINK) {
                            copier.copySymlink(a.path(i), dst, false);
                        } else {
                            copier.copyFile(a.path(i), dst, false, match[i] >= 0);
                        }
                        ok[i] = true;
                    } catch (FsException e) {
                        if ("EILSEQ".equals(e.errno())) {
                            throw e;
                        }
                        errno[i] = e.errno();
                        text[i] = e.errno() == null ? e.reason() : pyfsjvm.bridge.Errno.reason(e.errno());
                    }
                    fileDone(rel(a, i));
                });
    }

    /**
     * Removes the target-only rows {@code deletes} (children before their directory). A file
     * removed while {@code releases} holds it is freed on its threads, as the replaced ones are:
     * here too each unlink would otherwise wait for the device's discard.
     */
    private void deleteAll(EntryTable b, int[] deletes, boolean[] deleted, Releases releases) {
        deleteErrno = new String[deletes.length == 0 ? 0 : b.count()];
        deleteText = new String[deleteErrno.length];
        for (int j : deletes) {
            cancel.check();
            try {
                Path p = RawPaths.path(b.path(j)); // a link is removed itself, never what it points to
                if (releases != null && b.type(j) != FileType.DIR) {
                    releases.freeing(b.path(j), () -> Files.delete(p));
                } else {
                    Files.delete(p);
                }
                deleted[j] = true;
            } catch (IOException e) {
                FsException fe = FsException.from(e, null);
                deleteErrno[j] = fe.errno();
                deleteText[j] = "failed to delete: " + fe.reason();
            }
            fileDone(rel(b, j));
        }
    }

    private String[] deleteErrno = new String[0];
    private String[] deleteText = new String[0];

    /**
     * The target directories this run created, renamed or deleted entries in: their times changed,
     * so they need the source's back. (Fixing every directory after any change cost 7 system calls
     * per directory on one thread.)
     */
    private java.util.Set<ByteBuffer> writtenDirs(EntryTable a, EntryTable b, int[] copies, int[] dirs, int[] deletes) {
        java.util.Set<ByteBuffer> written = new java.util.HashSet<>();
        for (int[] rows : new int[][] {copies, dirs}) {
            for (int i : rows) {
                written.add(ByteBuffer.wrap(pyfsjvm.copy.PathBytes.parent(targetOf(a, i))));
            }
        }
        for (int j : deletes) {
            written.add(ByteBuffer.wrap(pyfsjvm.copy.PathBytes.parent(b.path(j))));
        }
        return written;
    }

    /**
     * Same content, other times: give the target the source's times (and mode where it differs) so
     * the next run is fast. Directories: those made, those written into ({@code written}), and
     * those whose mode or times differ from the source's already. Setting a directory's times does
     * not change its parent's, so the rows go in parallel, after all the writing.
     */
    private void fixTimes(EntryTable a, EntryTable b, int[] match, byte[] action, java.util.Set<ByteBuffer> written)
            throws FsException {
        if (!preserve) {
            return;
        }
        int[] fix = new int[a.count()];
        int n = 0;
        for (int i = 0; i < a.count(); i++) {
            int m = match[i];
            boolean dir = a.type(i) == FileType.DIR && (action[i] == MKDIR || action[i] == NOTHING && m >= 0
                    && (modeDiffers(a, b, i, m) || a.mtimeSec(i) != b.mtimeSec(m) || a.mtimeNsec(i) != b.mtimeNsec(m)
                    || written.contains(ByteBuffer.wrap(targetOf(a, i)))));
            if (action[i] == TOUCH || dir) {
                fix[n++] = i;
            }
        }
        int[] rows = Arrays.copyOf(fix, n);
        ParallelFor.run(rows.length, workers, cancel, () -> null, (unused, k) -> {
            int i = rows[k];
            boolean mode = action[i] == MKDIR || modeDiffers(a, b, i, match[i]);
            setModeAndTime(targetOf(a, i), false, mode ? a.mode(i) : -1, a.mtimeSec(i), a.mtimeNsec(i));
            if (action[i] == TOUCH) {
                action[i] = SKIP;
            }
        });
        fixRoot(written);
    }

    /** The target directory itself, as its rows: it is no row of the walk. */
    private void fixRoot(java.util.Set<ByteBuffer> written) {
        pyfsjvm.platform.Platform fs = pyfsjvm.platform.Platform.get();
        pyfsjvm.platform.Stat s = new pyfsjvm.platform.Stat();
        pyfsjvm.platform.Stat t = new pyfsjvm.platform.Stat();
        try {
            fs.stat(source, true, s);
            fs.stat(target, true, t);
        } catch (FsException e) {
            Log.warning("sync", "cannot set mode and times", target);
            return;
        }
        if ((s.mode & 07777) != (t.mode & 07777) || written.contains(ByteBuffer.wrap(target))
                || s.mtimeSec != t.mtimeSec || s.mtimeNsec != t.mtimeNsec) {
            // the target may be a link to a directory: that directory is the one to fix
            setModeAndTime(target, true, (s.mode & 07777) != (t.mode & 07777) ? s.mode : -1, s.mtimeSec, s.mtimeNsec);
        }
    }

    /**
     * The source's permission bits ({@code mode}, unless -1) and modification time onto {@code dst}
     * ({@code follow}: what a link there points to; else the entry itself): one {@code utimensat}
     * where the platform layer has it, NIO otherwise. A failure is logged, not raised: the data is
     * in place.
     */
    private static void setModeAndTime(byte[] dst, boolean follow, int mode, long sec, long nsec) {
        LinkOption[] how = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try {
            Path p = RawPaths.path(dst);
            if (mode != -1) {
                Files.setAttribute(p, "unix:mode", mode & 07777, how);
            }
            pyfsjvm.platform.NativeCopy nc = follow ? null : pyfsjvm.platform.Platform.get().nativeCopy();
            if (nc == null || !nc.setMtime(dst, sec, (int) nsec)) {
                Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class,
                        how).setTimes(java.nio.file.attribute.FileTime.from(
                        sec * 1_000_000_000L + nsec, java.util.concurrent.TimeUnit.NANOSECONDS), null, null);
            }
        } catch (IOException | RuntimeException e) {
            Log.warning("sync", "cannot set mode and times", dst);
        }
    }

    private static boolean modeDiffers(EntryTable a, EntryTable b, int i, int m) {
        return m < 0 || (a.mode(i) & 07777) != (b.mode(m) & 07777);
    }

    private byte[][] result(EntryTable a, EntryTable b, byte[] action, boolean[] ok, int[] deletes,
                            boolean[] deleted, String[] errno, String[] text) {
        Columns copied = new Columns("s", 64);
        Columns skipped = new Columns("s", 64);
        Columns gone = new Columns("s", 64);
        Columns errors = new Columns("sss", 16);
        // Errors and copies come from both trees; merge the deletions (target rows) in path order.
        int[] del = deletes.clone();
        Arrays.sort(del);
        int d = 0;
        for (int i = 0; i <= a.count(); i++) {
            while (d < del.length && (i == a.count() || Trees.compare(b, del[d], a, i) < 0)) {
                int j = del[d++];
                if (deleted[j]) {
                    putRel(gone, b, j);
                } else if (deleteText.length > j && deleteText[j] != null) {
                    error(errors, rel(b, j), deleteErrno[j], deleteText[j]);
                }
            }
            if (i == a.count()) {
                break;
            }
            switch (action[i]) {
                case COPY, LINK -> {
                    if (ok[i]) {
                        putRel(copied, a, i);
                    } else {
                        error(errors, rel(a, i), errno[i], text[i]);
                    }
                }
                case SKIP, TOUCH -> putRel(skipped, a, i);
                case FAIL -> error(errors, rel(a, i), errno[i], text[i]);
                default -> { }
            }
        }
        byte[] n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(dryRun ? 0 : bytes.get()).array();
        return new byte[][] {copied.pack(), gone.pack(), skipped.pack(), errors.pack(), n};
    }

    private static void putRel(Columns c, EntryTable t, int i) {
        c.addRow();
        c.putString(0, t.pathBytes(i), t.pathStart(i) + t.relativeOffset(i), t.pathLength(i) - t.relativeOffset(i));
    }

    private static void error(Columns c, byte[] rel, String errno, String text) {
        c.addRow();
        c.putString(0, rel, 0, rel.length);
        byte[] e = (errno == null ? "" : errno).getBytes(StandardCharsets.US_ASCII);
        c.putString(1, e, 0, e.length);
        byte[] t = (text == null ? "unknown error" : text).getBytes(StandardCharsets.UTF_8);
        c.putString(2, t, 0, t.length);
    }
}
