package pyfsjvm.watch;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.Glob;

import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One recursive watch (pyfs_jvm.watch.FileWatcher's Java half).
 *
 * <p>A single daemon thread per watcher reads raw events from an {@link EventSource}, keeps the
 * tree's state (every directory's entries, with type, size, mtime and inode), feeds the
 * {@link Debouncer}, and queues packed batches of changes for Python. It sleeps in the kernel
 * until an event arrives or the next debounced batch is due, so an idle watcher costs nothing.
 *
 * <p>What it does beyond the reference:
 * <ul>
 * <li>A directory created under the watch is watched at once and then listed, so files created
 *     in it before its watch existed are still reported (duplicates merge in the debouncer).</li>
 * <li>Lost events are never silent: a kernel queue overflow, the JDK's per-key overflow or a watch
 *     that disappears unexpectedly yield an {@link #OVERFLOW} change for the directory concerned,
 *     followed by a rescan against the kept state that reports what changed meanwhile.</li>
 * <li>Hitting the watch limit raises (at start) or queues (later) an {@code ENOSPC} error.</li>
 * <li>Ignore globs match the basename or the path relative to the root; a directory whose whole
 *     contents are ignored (e.g. {@code .git/**}) is not even watched.</li>
 * <li>Timestamps are when each event was observed; with {@code moves} a rename is one
 *     {@link #MOVED} change (old path attached), a move out "deleted", a move in "created".</li>
 * </ul>
 *
 * <p>Batch layout ({@link Columns}): {@code "sBBqs"} = path, kind, is_dir, epoch ns, old path
 * (empty unless MOVED). Errors (e.g. the watch limit reached for a new directory) are queued in
 * order with the batches and thrown by {@link #poll}.
 */
public final class Watcher {
    public static final byte CREATED = 0;
    public static final byte MODIFIED = 1;
    public static final byte DELETED = 2;
    public static final byte MOVED = 3;
    public static final byte OVERFLOW = 4;
    public static final String LAYOUT = "sBBqs";
    /** {@link #poll} result once the watcher has ended and everything was taken. */
    public static final byte[] END = new byte[0];

    private static final long TICK_MAX = 10_000_000L; // batching window
    private static final byte[] PRUNE_PROBE = {'/', 0};
    private static final long PAIR_WAIT_MS = 3;

    /** What is known about one directory entry. mtime -1: changed since last looked at. */
    static final class Entry {
        byte type;
        long mtime = -1;
        long size;
        long ino;
        Dir dir; // the watched directory, for a subdirectory
    }

    /** A watched directory. */
    static final class Dir {
        int wd;
        PathKey path;
        final HashMap<PathKey, Entry> entries = new HashMap<>();
        boolean gone;

        Dir(int wd, PathKey path) {
            this.wd = wd;
            this.path = path;
        }
    }

    private record Raw(int wd, int mask, int cookie, byte[] name) {}

    private final PathKey root;
    private final boolean recursive;
    private final long debounce;
    private final long tick;
    private final Glob[] ignore;
    private final boolean moves;
    private final EventSource src;
    private final Platform platform = Platform.get();
    private final Debouncer deb;

    // --- the watcher thread's state ---
    private final HashMap<Integer, Dir> byWd = new HashMap<>();
    private final HashMap<PathKey, Dir> byPath = new HashMap<>();
    private final byte[] fileName; // non-null: a single file is watched through its parent
    private Dir rootDir;
    private final Columns cols = new Columns(LAYOUT, 64);
    private final Stat stat = new Stat();
    private final DirListing listing = new DirListing();
    private final List<Raw> raws = new ArrayList<>();
    private final HashMap<Integer, Dir> movedOut = new HashMap<>(); // cookie -> dir moved away
    private long now;
    private long wall;
    private boolean rootGone;
    private int parentWd = -1;
    private byte[] rootName;
    private boolean limitReported;
    private int watches;

    // --- shared with consumers (Python threads) ---
    private final Object lock = new Object();
    private final ArrayDeque<Object> out = new ArrayDeque<>();
    private boolean ended;
    private volatile boolean stopping;
    private FileOutputStream notify;
    private boolean armed;
    private boolean interrupted;

    Watcher(EventSource src, byte[] root, boolean isFile, boolean recursive, long debounceMs, Glob[] ignore,
            boolean moves) {
        this.src = src;
        this.recursive = recursive;
        this.debounce = debounceMs * 1_000_000L;
        this.tick = Math.min(debounce / 4, TICK_MAX);
        this.ignore = ignore;
        this.moves = moves;
        this.deb = new Debouncer(debounce);
        if (isFile) {
            int slash = lastSlash(root);
            this.fileName = Arrays.copyOfRange(root, slash + 1, root.length);
            this.root = new PathKey(slash == 0 ? new byte[] {'/'} : Arrays.copyOf(root, slash));
        } else {
            this.fileName = null;
            this.root = new PathKey(root);
        }
    }

    public String backend() {
        return src.name();
    }

    /** Directories currently watched. */
    public int watchCount() {
        synchronized (lock) {
            return watches;
        }
    }

    // ------------------------------------------------------------------ start / stop

    /** Registers the tree and lists it (the caller's task), then starts the watcher thread. */
    void begin(Cancel cancel) throws FsException {
        stamp();
        try {
            rootDir = watchDir(root, null, null, true);
            if (fileName != null) {
                listFile();
            } else {
                watchParent();
                scan(rootDir, false, cancel, true);
            }
        } catch (FsException | RuntimeException | Error e) {
            src.release();
            throw e;
        }
        Thread t = new Thread(this::loop, "pyfs-jvm-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Stops watching, from any thread; a blocked {@link #poll} returns {@link #END} at once. */
    public void close() {
        stopping = true;
        src.close();
        synchronized (lock) {
            ended = true;
            out.clear();
            lock.notifyAll();
        }
        signal();
    }

    /**
     * The next batch (layout {@link #LAYOUT}), waiting up to {@code timeoutMs} (-1: until one comes
     * or the watcher ends); null on timeout, {@link #END} once ended. Throws a queued error.
     */
    public byte[] poll(long timeoutMs) throws FsException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        synchronized (lock) {
            while (out.isEmpty() && !ended && !interrupted) {
                if (timeoutMs < 0) {
                    lock.wait();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            }
            if (interrupted) {
                interrupted = false;
                if (out.isEmpty() && !ended) {
                    return null; // a signal for Python: let its handler run
                }
            }
            Object o = out.poll();
            if (o == null) {
                return END;
            }
            if (o instanceof FsException e) {
                throw e;
            }
            return (byte[]) o;
        }
    }

    /** True once the watcher has stopped (closed, or its root went away) and nothing is left. */
    public boolean isEnded() {
        synchronized (lock) {
            return ended && out.isEmpty();
        }
    }

    /**
     * For asyncio: a byte is written to {@code path} (a pipe's write end, e.g. /proc/self/fd/N)
     * whenever something becomes ready while the consumer is {@link #arm armed}.
     */
    public void notifyTo(String path) throws IOException {
        FileOutputStream f = new FileOutputStream(path);
        synchronized (lock) {
            notify = f;
        }
    }

    /**
     * Makes a blocked {@link #poll} return null whenever a byte can be read from {@code path}: the
     * read end of the pipe Python registered with {@code signal.set_wakeup_fd}, so that Ctrl-C
     * reaches a main thread waiting here without it waking up in slices. The thread ends at EOF
     * (Python closes the write end when the watcher stops).
     */
    public void interruptOn(String path) throws IOException {
        java.io.FileInputStream in = new java.io.FileInputStream(path);
        Thread t = new Thread(() -> {
            byte[] b = new byte[64];
            try (in) {
                while (in.read(b) > 0) {
                    synchronized (lock) {
                        interrupted = true;
                        lock.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the pipe is gone: nothing to forward any more
            }
        }, "pyfs-jvm-watch-signals");
        t.setDaemon(true);
        t.start();
    }

    /** Asks for one notification byte; returns true (and arms nothing) if something is ready now. */
    public boolean arm() {
        synchronized (lock) {
            if (!out.isEmpty() || ended) {
                return true;
            }
            armed = true;
            return false;
        }
    }

    private void signal() {
        FileOutputStream f;
        synchronized (lock) {
            if (!armed && !ended) {
                return;
            }
            armed = false;
            f = notify;
            if (ended) {
                notify = null;
            }
        }
        if (f != null) {
            try {
                f.write(1);
                if (ended) {
                    f.close();
                }
            } catch (IOException e) {
                // the reader went away: nobody is waiting
            }
        }
    }

    private void enqueue(Object batchOrError) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            out.add(batchOrError);
            lock.notifyAll();
        }
        signal();
    }

    private void end() {
        synchronized (lock) {
            ended = true;
            lock.notifyAll();
        }
        signal();
    }

    // ------------------------------------------------------------------ the thread

    private void loop() {
        try {
            while (!stopping) {
                stamp();
                flush(rootGone);
                if (rootGone) {
                    break;
                }
                long due = deb.nextDeadline();
                long timeoutMs = -1;
                if (due != Long.MAX_VALUE) {
                    long wait = due - System.nanoTime();
                    timeoutMs = wait <= 0 ? 0 : (wait + 999_999) / 1_000_000;
                }
                raws.clear();
                if (!src.read(timeoutMs, collector)) {
                    break;
                }
                if (!src.hasCookies() && hasDelete()) {
                    // WatchService hands over a rename's DELETE and CREATE separately when its own
                    // thread signals between them: wait a moment for the CREATE, to pair them.
                    if (!src.read(PAIR_WAIT_MS, collector)) {
                        break;
                    }
                }
                if (!raws.isEmpty()) {
                    stamp();
                    process();
                }
            }
        } catch (Throwable t) {
            if (!stopping) {
                Log.log(Log.ERROR, "watch", "the watcher thread failed: " + t, root.b);
                enqueue(t instanceof FsException fe ? fe
                        : FsException.domain("the watcher failed: " + t, root.b));
            }
        } finally {
            src.release();
            end();
        }
    }

    private final EventSource.Sink collector = (wd, mask, cookie, name, off, len) ->
            raws.add(new Raw(wd, mask, cookie, Arrays.copyOfRange(name == null ? PRUNE_PROBE : name, off, off + len)));

    private boolean hasDelete() {
        for (Raw r : raws) {
            if (r.mask == EventSource.IN_DELETE) {
                return true;
            }
        }
        return false;
    }

    private void stamp() {
        now = System.nanoTime();
        Instant i = Instant.now();
        wall = i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private void process() throws FsException {
        if (!src.hasCookies()) {
            pairByInode();
        }
        for (Raw r : raws) {
            handle(r);
            if (rootGone) {
                return;
            }
        }
        // Directories moved out of the tree: their watches would go on reporting from elsewhere.
        for (Dir d : movedOut.values()) {
            forget(d, true);
        }
        movedOut.clear();
    }

    /**
     * WatchService says nothing when the watched directory itself is moved away (inotify has
     * IN_MOVE_SELF), so its parent is watched too, for the root's name only.
     */
    private void watchParent() {
        if (src.knowsDirs() || root.b.length <= 1) {
            return;
        }
        try {
            parentWd = src.add(parentOf(root).b);
            rootName = baseName(root.b);
        } catch (FsException e) {
            Log.debug("watch", "cannot watch the parent of the root: " + e.getMessage());
        }
    }

    private void handle(Raw r) throws FsException {
        int mask = r.mask;
        if (r.wd == parentWd && parentWd != -1 && byWd.get(r.wd) == null) {
            if ((mask & (EventSource.IN_DELETE | EventSource.IN_MOVED_FROM)) != 0 && Arrays.equals(r.name, rootName)) {
                goneRoot();
            }
            return;
        }
        if ((mask & EventSource.IN_Q_OVERFLOW) != 0) {
            Dir d = byWd.get(r.wd);
            overflow(d != null && !d.gone ? d : rootDir);
            return;
        }
        Dir d = byWd.get(r.wd);
        if (d == null) {
            return; // a watch we dropped already
        }
        if ((mask & EventSource.IN_IGNORED) != 0) {
            byWd.remove(r.wd);
            if (!d.gone) {
                lost(d);
            }
            return;
        }
        if (r.name.length == 0) {
            selfEvent(d, mask);
            return;
        }
        if (d.gone || (fileName != null && !Arrays.equals(r.name, fileName))) {
            return;
        }
        PathKey nameKey = new PathKey(r.name);
        PathKey path = d.path.child(r.name, 0, r.name.length);
        Entry old = d.entries.get(nameKey);
        boolean isDir;
        boolean looked = false; // stat holds this path's lstat (WatchService: pairing by inode needs it)
        if (src.knowsDirs()) {
            isDir = (mask & EventSource.IN_ISDIR) != 0;
        } else if ((mask & (EventSource.IN_CREATE | EventSource.IN_MOVED_TO)) != 0) {
            looked = lstat(path.b);
            isDir = looked && stat.type == FileType.DIR;
        } else {
            isDir = old != null && old.type == FileType.DIR;
        }
        boolean ign = ignored(path.b);
        if ((mask & EventSource.IN_CREATE) != 0) {
            if (old != null && old.dir != null) {
                forget(old.dir, true);
            }
            Entry e = new Entry();
            e.type = isDir ? FileType.DIR : FileType.UNKNOWN;
            if (looked) {
                e.type = stat.type;
                e.ino = stat.ino; // mtime stays unknown until reported
            }
            d.entries.put(nameKey, e);
            if (!ign) {
                deb.add(event(Debouncer.Kind.CREATE, path, 0, isDir));
            }
            if (isDir && recursive && fileName == null && !pruned(path.b)) {
                e.dir = watchDir(path, d, nameKey, false);
                if (e.dir != null) {
                    scan(e.dir, true, null, false);
                }
            }
        }
        if ((mask & EventSource.IN_MODIFY) != 0) {
            touch(old);
            if (!ign) {
                deb.add(event(Debouncer.Kind.MODIFY_DATA, path, 0, isDir));
            }
        }
        if ((mask & EventSource.IN_ATTRIB) != 0) {
            touch(old);
            if (!ign) {
                deb.add(event(Debouncer.Kind.MODIFY_META, path, 0, isDir));
            }
        }
        if ((mask & EventSource.IN_CLOSE_WRITE) != 0) {
            touch(old);
            if (!ign) {
                deb.add(event(Debouncer.Kind.ACCESS, path, 0, isDir));
            }
        }
        if ((mask & EventSource.IN_DELETE) != 0) {
            d.entries.remove(nameKey);
            if (old != null && old.dir != null) {
                forget(old.dir, false);
            }
            if (!ign) {
                deb.add(event(Debouncer.Kind.REMOVE, path, 0, isDir));
            }
        }
        if ((mask & EventSource.IN_MOVED_FROM) != 0) {
            d.entries.remove(nameKey);
            if (old != null && old.dir != null) {
                movedOut.put(r.cookie, old.dir);
            }
            deb.add(event(Debouncer.Kind.RENAME_FROM, path, r.cookie, isDir)); // filtered on output
        }
        if ((mask & EventSource.IN_MOVED_TO) != 0) {
            Entry e = new Entry();
            e.type = isDir ? FileType.DIR : FileType.UNKNOWN;
            if (old != null && old.dir != null) {
                forget(old.dir, true);
            }
            d.entries.put(nameKey, e);
            Dir moved = movedOut.remove(r.cookie);
            if (moved != null && r.cookie != 0) {
                relocate(moved, path);
                e.dir = moved;
            } else if (isDir && recursive && fileName == null && !pruned(path.b)) {
                if (moved != null) {
                    forget(moved, true);
                }
                e.dir = watchDir(path, d, nameKey, false);
                if (e.dir != null) {
                    scan(e.dir, moves, null, false); // moved in: its contents are news only with moves
                }
            }
            deb.add(event(Debouncer.Kind.RENAME_TO, path, r.cookie, isDir));
        }
    }

    private void selfEvent(Dir d, int mask) throws FsException {
        if ((mask & (EventSource.IN_DELETE_SELF | EventSource.IN_MOVE_SELF | EventSource.IN_UNMOUNT)) == 0) {
            return;
        }
        if (d == rootDir) {
            goneRoot();
            return;
        }
        if ((mask & EventSource.IN_DELETE_SELF) != 0 && !d.gone) {
            forget(d, false);
            if (!ignored(d.path.b)) {
                deb.add(event(Debouncer.Kind.REMOVE, d.path, 0, true));
            }
        } else if ((mask & EventSource.IN_UNMOUNT) != 0) {
            lost(d);
        }
    }

    private static void touch(Entry e) {
        if (e != null) {
            e.mtime = -1;
        }
    }

    private Debouncer.Event event(Debouncer.Kind kind, PathKey path, int cookie, boolean dir) {
        return new Debouncer.Event(kind, path, null, now, wall, cookie, dir);
    }

    /** The root went away (deleted, moved, unmounted): report it and end after this batch. */
    private void goneRoot() {
        if (fileName == null) {
            deb.add(event(Debouncer.Kind.REMOVE, root, 0, true));
        } else {
            deb.add(event(Debouncer.Kind.REMOVE, root.child(fileName, 0, fileName.length), 0, false));
        }
        rootGone = true;
    }

    /** WatchService gives DELETE + CREATE for a rename: pair them by inode into MOVED_FROM/TO. */
    private void pairByInode() {
        int cookie = 1;
        for (int i = 0; i < raws.size(); i++) {
            Raw del = raws.get(i);
            if (del.mask != EventSource.IN_DELETE || del.name.length == 0) {
                continue;
            }
            Dir d = byWd.get(del.wd);
            Entry e = d == null ? null : d.entries.get(new PathKey(del.name));
            if (e == null || e.ino == 0 || e.mtime == -1) {
                continue;
            }
            for (int j = i + 1; j < raws.size(); j++) {
                Raw cr = raws.get(j);
                Dir cd = byWd.get(cr.wd);
                if (cr.mask != EventSource.IN_CREATE || cd == null || cr.name.length == 0) {
                    continue;
                }
                PathKey p = cd.path.child(cr.name, 0, cr.name.length);
                // The inode alone is not enough: a deleted file's inode is often reused at once.
                // A rename keeps mtime and size; a new file almost never has both the same.
                if (lstat(p.b) && stat.ino == e.ino && stat.mtimeNanos() == e.mtime && stat.size == e.size) {
                    int dirBit = e.type == FileType.DIR ? EventSource.IN_ISDIR : 0;
                    raws.set(i, new Raw(del.wd, EventSource.IN_MOVED_FROM | dirBit, cookie, del.name));
                    raws.remove(j);
                    raws.add(i + 1, new Raw(cr.wd, EventSource.IN_MOVED_TO | dirBit, cookie, cr.name));
                    cookie++;
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ tree state

    /** Watches {@code path}; null if it vanished or cannot be watched (reported). */
    private Dir watchDir(PathKey path, Dir parent, PathKey name, boolean initial) throws FsException {
        int wd;
        try {
            wd = src.add(path.b);
        } catch (FsException e) {
            if (initial && parent == null) {
                throw e;
            }
            if ("ENOSPC".equals(e.errno()) || "EMFILE".equals(e.errno())) {
                if (initial) {
                    throw e;
                }
                if (!limitReported) {
                    limitReported = true;
                    enqueue(e);
                }
                return null;
            }
            if (!"ENOENT".equals(e.errno()) && !"ENOTDIR".equals(e.errno())) {
                Log.warning("watch", "cannot watch directory (" + e.reason() + ")", path.b);
            }
            return null;
        }
        Dir existing = byWd.get(wd);
        if (existing != null && !existing.gone && existing.path.equals(path)) {
            return existing;
        }
        Dir d = new Dir(wd, path);
        byWd.put(wd, d);
        byPath.put(path, d);
        synchronized (lock) {
            watches++;
        }
        return d;
    }

    /** Stops tracking {@code d} and everything below it; {@code unwatch}: also drop the kernel watches. */
    private void forget(Dir d, boolean unwatch) {
        ArrayDeque<Dir> todo = new ArrayDeque<>();
        todo.add(d);
        while (!todo.isEmpty()) {
            Dir x = todo.poll();
            if (x.gone) {
                continue;
            }
            x.gone = true;
            if (byPath.get(x.path) == x) {
                byPath.remove(x.path);
            }
            synchronized (lock) {
                watches--;
            }
            if (unwatch) {
                src.remove(x.wd);
            }
            for (Entry e : x.entries.values()) {
                if (e.dir != null) {
                    todo.add(e.dir);
                }
            }
        }
    }

    /** A directory moved inside the tree: its watches stay, its paths change. */
    private void relocate(Dir d, PathKey to) {
        ArrayDeque<Dir> todo = new ArrayDeque<>();
        ArrayDeque<PathKey> paths = new ArrayDeque<>();
        todo.add(d);
        paths.add(to);
        while (!todo.isEmpty()) {
            Dir x = todo.poll();
            PathKey p = paths.poll();
            if (byPath.get(x.path) == x) {
                byPath.remove(x.path);
            }
            x.path = p;
            byPath.put(p, x);
            for (Map.Entry<PathKey, Entry> en : x.entries.entrySet()) {
                if (en.getValue().dir != null) {
                    todo.add(en.getValue().dir);
                    paths.add(p.child(en.getKey().b, 0, en.getKey().b.length));
                }
            }
        }
    }

    /**
     * Lists {@code top} and (when recursive) everything below it, watching each directory before
     * listing it. {@code emit}: report every entry found as created.
     */
    private void scan(Dir top, boolean emit, Cancel cancel, boolean initial) throws FsException {
        ArrayDeque<Dir> todo = new ArrayDeque<>();
        todo.add(top);
        while (!todo.isEmpty()) {
            if (cancel != null) {
                cancel.check();
            }
            if (stopping) {
                return;
            }
            Dir d = todo.poll();
            if (!list(d, initial && d == top)) {
                continue;
            }
            for (int i = 0; i < listing.count(); i++) {
                PathKey name = PathKey.of(listing.nameArray(), listing.nameStart(i), listing.nameLength(i));
                PathKey path = d.path.child(name.b, 0, name.b.length);
                Entry e = new Entry();
                fill(e, i);
                Entry prev = d.entries.put(name, e);
                if (prev != null && prev.dir != null && e.type == FileType.DIR) {
                    e.dir = prev.dir;
                    continue; // already known (a rescan's new directory met an old one)
                }
                if (emit && !ignored(path.b)) {
                    deb.add(event(Debouncer.Kind.CREATE, path, 0, e.type == FileType.DIR));
                }
                if (e.type == FileType.DIR && recursive && !pruned(path.b)) {
                    e.dir = watchDir(path, d, name, initial);
                    if (e.dir != null) {
                        todo.add(e.dir);
                    }
                }
            }
        }
    }

    /** Lists {@code d} into {@link #listing}; false if it is gone (or unreadable, logged). */
    private boolean list(Dir d, boolean mustWork) throws FsException {
        try {
            platform.readDirectory(d.path.b, Platform.WANT_STAT, listing);
            return true;
        } catch (FsException e) {
            if (mustWork) {
                throw e;
            }
            if (!"ENOENT".equals(e.errno()) && !"ENOTDIR".equals(e.errno())) {
                Log.warning("watch", "cannot list directory (" + e.reason() + ")", d.path.b);
            }
            return false;
        }
    }

    private void fill(Entry e, int i) {
        e.type = listing.type(i);
        if (listing.errno(i) == null) {
            e.mtime = listing.mtimeSec(i) * 1_000_000_000L + listing.mtimeNsec(i);
            e.size = listing.size(i);
            e.ino = listing.ino(i);
        }
    }

    private void listFile() throws FsException {
        PathKey name = new PathKey(fileName);
        Entry e = new Entry();
        if (lstat(root.child(fileName, 0, fileName.length).b)) {
            fillFromStat(e);
            rootDir.entries.put(name, e);
        }
    }

    private void fillFromStat(Entry e) {
        e.type = stat.type;
        e.mtime = stat.mtimeNanos();
        e.size = stat.size;
        e.ino = stat.ino;
    }

    private boolean lstat(byte[] path) {
        try {
            platform.stat(path, false, stat);
            return true;
        } catch (FsException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ lost events

    /** Events under {@code d} were lost: say so, then rescan it against the kept state. */
    private void overflow(Dir d) throws FsException {
        Log.warning("watch", "events were lost (inotify queue overflow); rescanning", d.path.b);
        deb.add(new Debouncer.Event(Debouncer.Kind.OVERFLOW, marker(d.path), null, now, wall, 0, true));
        rescan(d);
    }

    /** A watch disappeared without its directory being deleted by an event we saw. */
    private void lost(Dir d) throws FsException {
        if (d == rootDir) {
            goneRoot();
            return;
        }
        boolean exists = lstat(d.path.b) && stat.type == FileType.DIR;
        Dir parent = byPath.get(parentOf(d.path));
        forget(d, false);
        if (!exists) { // deleted: the parent's DELETE may still come; the debouncer merges them
            if (!ignored(d.path.b)) {
                deb.add(event(Debouncer.Kind.REMOVE, d.path, 0, true));
            }
            if (parent != null) { // keep the entry: the parent's DELETE still needs to know it was a directory
                Entry e = parent.entries.get(new PathKey(baseName(d.path.b)));
                if (e != null && e.dir == d) {
                    e.dir = null;
                }
            }
            return;
        }
        overflow(parent != null && !parent.gone ? parent : rootDir);
    }

    /** Compares the tree below {@code top} with the kept state, reporting and recording differences. */
    private void rescan(Dir top) throws FsException {
        ArrayDeque<Dir> todo = new ArrayDeque<>();
        todo.add(top);
        while (!todo.isEmpty() && !stopping) {
            Dir d = todo.poll();
            if (d.gone) {
                continue;
            }
            try {
                int wd = src.add(d.path.b); // the same descriptor if the watch survived
                if (wd != d.wd) {
                    byWd.put(wd, d);
                    d.wd = wd;
                }
            } catch (FsException e) {
                if ("ENOSPC".equals(e.errno()) && !limitReported) {
                    limitReported = true;
                    enqueue(e);
                }
            }
            if (!list(d, false)) {
                if (d == rootDir) {
                    goneRoot();
                    return;
                }
                continue;
            }
            HashMap<PathKey, Entry> seen = new HashMap<>(listing.count() * 2);
            List<Dir> fresh = new ArrayList<>();
            for (int i = 0; i < listing.count(); i++) {
                PathKey name = PathKey.of(listing.nameArray(), listing.nameStart(i), listing.nameLength(i));
                if (fileName != null && !Arrays.equals(name.b, fileName)) {
                    continue;
                }
                PathKey path = d.path.child(name.b, 0, name.b.length);
                boolean ign = ignored(path.b);
                Entry now = new Entry();
                fill(now, i);
                Entry was = d.entries.get(name);
                if (was != null && was.type != now.type) { // replaced by another kind of entry
                    if (was.dir != null) {
                        forget(was.dir, true);
                    }
                    if (!ign) {
                        deb.add(event(Debouncer.Kind.REMOVE, path, 0, was.type == FileType.DIR));
                    }
                    was = null;
                }
                if (was == null) {
                    if (!ign) {
                        deb.add(event(Debouncer.Kind.CREATE, path, 0, now.type == FileType.DIR));
                    }
                    if (now.type == FileType.DIR && recursive && fileName == null && !pruned(path.b)) {
                        now.dir = watchDir(path, d, name, false);
                        if (now.dir != null) {
                            fresh.add(now.dir);
                        }
                    }
                } else {
                    if (was.mtime != -1 && now.type != FileType.DIR && (was.mtime != now.mtime || was.size != now.size)
                            && !ign) {
                        deb.add(event(Debouncer.Kind.MODIFY_DATA, path, 0, false));
                    }
                    now.dir = was.dir;
                    if (now.dir != null) {
                        todo.add(now.dir);
                    }
                }
                seen.put(name, now);
            }
            for (Map.Entry<PathKey, Entry> en : d.entries.entrySet()) {
                if (!seen.containsKey(en.getKey())) {
                    PathKey path = d.path.child(en.getKey().b, 0, en.getKey().b.length);
                    Entry was = en.getValue();
                    if (was.dir != null) {
                        forget(was.dir, true);
                    }
                    if (!ignored(path.b)) {
                        deb.add(event(Debouncer.Kind.REMOVE, path, 0, was.type == FileType.DIR));
                    }
                }
            }
            d.entries.clear();
            d.entries.putAll(seen);
            for (Dir f : fresh) {
                scan(f, true, null, false);
            }
        }
    }

    // ------------------------------------------------------------------ output

    /** Emits the debounced events that are due (all of them with {@code all}) as one batch. */
    private void flush(boolean all) {
        // Events that become due within one tick of the first are emitted with it, so a burst
        // comes out as one batch (the reference batches per tick, but emits up to a tick late).
        List<Debouncer.Event> due = deb.expired(now + tick, all);
        if (due.isEmpty()) {
            return;
        }
        for (Debouncer.Event e : due) {
            switch (e.kind) {
                case CREATE -> row(CREATED, e.path, null, e, true);
                case MODIFY_DATA, MODIFY_META -> row(MODIFIED, e.path, null, e, true);
                case REMOVE -> row(DELETED, e.path, null, e, false);
                case RENAME_FROM -> row(moves ? DELETED : MODIFIED, e.path, null, e, !moves);
                case RENAME_TO -> row(moves ? CREATED : MODIFIED, e.path, null, e, true);
                case RENAME_BOTH -> {
                    if (moves) {
                        boolean a = ignored(e.path.b);
                        boolean b = ignored(e.path2.b);
                        if (a && !b) {
                            row(CREATED, e.path2, null, e, true);
                        } else if (!a && b) {
                            row(DELETED, e.path, null, e, false);
                        } else if (!a) {
                            row(MOVED, e.path2, e.path, e, true);
                        }
                    } else {
                        row(MODIFIED, e.path, null, e, true);
                        row(MODIFIED, e.path2, null, e, true);
                    }
                }
                case OVERFLOW -> {
                    byte[] p = Arrays.copyOfRange(e.path.b, 1, e.path.b.length);
                    int r = cols.addRow();
                    cols.putString(0, p, 0, p.length);
                    cols.setByte(1, r, OVERFLOW);
                    cols.setByte(2, r, (byte) 1);
                    cols.setLong(3, r, e.wall);
                    cols.putString(4, p, 0, 0);
                }
                default -> { } // ACCESS (close-write): merged, never reported, as in the reference
            }
        }
        if (cols.rows() > 0) {
            enqueue(cols.pack());
        }
    }

    private void row(byte kind, PathKey path, PathKey old, Debouncer.Event e, boolean look) {
        if (ignored(path.b)) {
            return;
        }
        boolean dir = e.dir;
        if (look && lstat(path.b)) { // also refreshes the kept state, so a rescan compares to what we reported
            dir = stat.type == FileType.DIR;
            Dir parent = byPath.get(parentOf(path));
            if (parent != null) {
                Entry en = parent.entries.get(new PathKey(baseName(path.b)));
                if (en != null && (en.type == stat.type || en.type == FileType.UNKNOWN)) {
                    fillFromStat(en);
                }
            }
        }
        int r = cols.addRow();
        cols.putString(0, path.b, 0, path.b.length);
        cols.setByte(1, r, kind);
        cols.setByte(2, r, (byte) (dir ? 1 : 0));
        cols.setLong(3, r, e.wall);
        byte[] o = old == null ? PRUNE_PROBE : old.b;
        cols.putString(4, o, 0, old == null ? 0 : o.length);
    }

    // ------------------------------------------------------------------ paths and globs

    private static PathKey marker(PathKey p) {
        byte[] b = new byte[p.b.length + 1];
        System.arraycopy(p.b, 0, b, 1, p.b.length); // a leading NUL: never a real path, never merged with one
        return new PathKey(b);
    }

    private int relStart(byte[] path) {
        byte[] r = fileName != null ? root.b : root.b;
        int n = r.length;
        return n > 0 && r[n - 1] == '/' ? n : n + 1;
    }

    /** Matched by an ignore glob, on its basename or its path relative to the root. */
    private boolean ignored(byte[] path) {
        if (ignore.length == 0) {
            return false;
        }
        int base = lastSlash(path) + 1;
        int rel = Math.min(relStart(path), path.length);
        for (Glob g : ignore) {
            if (g.matches(path, base, path.length - base) || (rel < path.length && g.matches(path, rel, path.length - rel))) {
                return true;
            }
        }
        return false;
    }

    /** True when every possible entry below directory {@code path} is ignored: no need to watch it. */
    private boolean pruned(byte[] path) {
        if (ignore.length == 0) {
            return false;
        }
        int rel = Math.min(relStart(path), path.length);
        byte[] probe = new byte[path.length - rel + PRUNE_PROBE.length];
        System.arraycopy(path, rel, probe, 0, path.length - rel);
        System.arraycopy(PRUNE_PROBE, 0, probe, path.length - rel, PRUNE_PROBE.length);
        for (Glob g : ignore) {
            if (g.matches(probe, 0, probe.length)) {
                return true;
            }
        }
        return false;
    }

    private static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    private static PathKey parentOf(PathKey p) {
        int s = lastSlash(p.b);
        return new PathKey(s <= 0 ? new byte[] {'/'} : Arrays.copyOf(p.b, s));
    }

    private static byte[] baseName(byte[] p) {
        return Arrays.copyOfRange(p, lastSlash(p) + 1, p.length);
    }
}
