package pyfsjvm.walk;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;

import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one directory walker every family uses.
 *
 * <p><b>Ordered</b> ({@link #walk}): entries reach the visitor on the caller's thread in strict
 * depth-first pre-order (a directory, its whole subtree, then its next sibling), the order jwalk
 * and pyfs-watcher give. Worker threads read directories ahead in parallel; pending reads are
 * prioritised by their depth-first position so that the directory the visitor needs next is always
 * the first one read, and read-ahead stops at {@link WalkSpec#bufferedEntries} so memory stays
 * bounded however large the tree. If the needed directory has not been started, the caller reads
 * it itself, so the walk never waits on an idle queue.
 *
 * <p><b>Unordered</b> ({@link #walkUnordered}): each directory goes to the visitor on whichever
 * worker read it, as soon as it is read. For reports and totals where order does not matter. Each
 * worker keeps the subdirectories it finds on its own stack and gives the older half of it to a
 * shared queue only while another worker is idle, so most directories cost no shared-queue or
 * counter traffic at all.
 *
 * <p>Failures never abort a walk: an unreadable directory, a stat that fails, a symlink loop go to
 * {@link Visitor#error} and the walk goes on. Entries that vanish between the directory read and
 * their stat are left out (they no longer exist).
 */
public final class Walker {
    private Walker() {}

    /** Receives a walk in depth-first order, on the calling thread. */
    public interface Visitor {
        /** Entry {@code i} of {@code parent} (depth {@code parent.depth() + 1}). */
        void entry(Dir parent, int i);

        /** Something could not be read; the walk goes on. */
        default void error(FsException e) {}

        /** Called while waiting for a directory to be read (a chance to flush output). */
        default void idle() {}

        /**
         * Directory {@code d} (the root included) is read and about to be walked: its whole listing
         * is available here, before any of its entries reach {@link #entry} (os.walk-style
         * consumers take the directory at once and ignore {@code entry}).
         */
        default void enter(Dir d) {}

        /**
         * Whether to walk {@code child}, a directory the walk found, now that the walk reached it.
         * Returning false drops it and its subtree, read ahead or not (for callers that prune
         * late, after seeing the parent, like os.walk's in-place edits of {@code dirnames}).
         */
        default boolean descend(Dir child) {
            return true;
        }

        /** Directory {@code d} could not be read (it is not walked); by default an {@link #error}. */
        default void unreadable(Dir d) {
            error(d.error());
        }
    }

    /** Receives each directory of an unordered walk, possibly from several threads at once. */
    public interface DirVisitor {
        void directory(Dir dir);

        default void error(FsException e) {}
    }

    private static final String LOG = "walk";

    /** Put in a work queue to wake a blocked worker; never read. */
    private static final Dir WAKE = new Dir(new byte[0], -1, new int[0], null);

    // ------------------------------------------------------------------ ordered

    /** Walks {@code spec.root} in depth-first order; the root itself is not reported. */
    public static void walk(WalkSpec spec, Cancel cancel, Visitor visitor) throws FsException {
        Platform platform = spec.platform;
        Dir root = newRoot(spec, platform);
        if (spec.maxDepth <= 0) {
            return; // the root's children would be depth 1: nothing to report
        }
        Reader reader = new Reader(spec, platform, cancel);
        reader.readAndExpand(root);
        if (root.error != null) {
            throw root.error;
        }
        visitor.enter(root);
        Thread[] workers = reader.startWorkers(spec.threads);
        try {
            emit(root, reader, cancel, visitor);
        } finally {
            reader.stop(workers);
        }
    }

    private static void emit(Dir root, Reader reader, Cancel cancel, Visitor visitor) {
        ArrayDeque<Dir> dirs = new ArrayDeque<>();
        int[] next = new int[64]; // next[k]: the next entry of the k-th directory on the stack
        dirs.push(root);
        while (!dirs.isEmpty()) {
            cancel.check();
            Dir d = dirs.peek();
            int top = dirs.size() - 1;
            DirListing l = d.listing;
            int n = l == null ? 0 : l.count();
            if (next[top] >= n) {
                dirs.pop();
                next[top] = 0;
                reader.released(n);
                reader.recycle(d.listing); // the subtree is done: its entries can go
                d.listing = null;
                d.children = null;
                continue;
            }
            int i = next[top]++;
            if (reader.reportable(d, i)) {
                visitor.entry(d, i);
                FsException e = entryError(d, i);
                if (e != null) {
                    visitor.error(e);
                }
            }
            Dir child = d.children == null ? null : d.children[i];
            if (child != null && !visitor.descend(child)) {
                d.children[i] = null;
                reader.discard(child);
                child = null;
            }
            if (child != null) {
                reader.awaitOrRead(child, visitor);
                if (child.error != null) {
                    visitor.unreadable(child);
                } else {
                    visitor.enter(child);
                    if (dirs.size() == next.length) {
                        next = java.util.Arrays.copyOf(next, next.length * 2);
                    }
                    dirs.push(child);
                }
            }
        }
    }

    /**
     * The failure to report for entry {@code i}, or null: a stat that failed (other than the entry
     * vanishing) or a symlink loop. A broken symlink is not a failure; it is reported as the link.
     */
    public static FsException entryError(Dir d, int i) {
        DirListing l = d.listing();
        String errno = l.errno(i);
        if (errno == null || l.link(i) == DirListing.BROKEN || Reader.vanished(l, i)) {
            return null;
        }
        if (errno.equals("ELOOP") && l.link(i) == DirListing.FOLLOWED) {
            return new FsException("ELOOP", d.childPath(i),
                    "symlink loop: the link leads back to a directory that contains it; not descended");
        }
        return new FsException(errno, d.childPath(i), pyfsjvm.bridge.Errno.reason(errno));
    }

    // ---------------------------------------------------------------- unordered

    /** Walks {@code spec.root}, giving each directory (the root included) to the visitor once. */
    public static void walkUnordered(WalkSpec spec, Cancel cancel, DirVisitor visitor) throws FsException {
        Platform platform = spec.platform;
        Dir root = newRoot(spec, platform);
        Reader reader = new Reader(spec, platform, cancel);
        reader.unordered = new LinkedBlockingDeque<>();
        ArrayDeque<Dir> mine = new ArrayDeque<>();
        reader.readAndExpand(root, new DirListing(), mine); // its children go on the caller's stack
        if (root.error != null) {
            throw root.error;
        }
        mine.push(root); // visited first
        reader.pending.set(1); // the caller's stack (see unorderedLoop)
        int n = Math.max(1, spec.threads);
        Thread[] workers = new Thread[n - 1];
        for (int k = 0; k < workers.length; k++) {
            workers[k] = new Thread(() -> reader.unorderedLoop(visitor, new ArrayDeque<>()), "pyfs-jvm-walk");
            workers[k].setDaemon(true);
            workers[k].start();
        }
        try {
            reader.unorderedLoop(visitor, mine); // the caller works too
        } finally {
            reader.stop(workers);
        }
        cancel.check();
        if (reader.failure != null) {
            throw reader.failure;
        }
    }

    // ------------------------------------------------------------------ shared

    private static Dir newRoot(WalkSpec spec, Platform platform) throws FsException {
        Dir.Ancestry anc = null;
        if (spec.follow) {
            Stat st = new Stat();
            platform.stat(spec.root, true, st);
            anc = new Dir.Ancestry(st.dev, st.ino, null);
        }
        return new Dir(spec.root, 0, new int[0], anc);
    }

    /** Reads directories and decides which children to descend; shared by both walk modes. */
    private static final class Reader {
        final WalkSpec spec;
        final Platform platform;
        final Cancel cancel;
        final int want;
        final PriorityBlockingQueue<Dir> queue = new PriorityBlockingQueue<>();
        final AtomicLong buffered = new AtomicLong();
        final Object budget = new Object();
        volatile boolean stopped;
        // unordered mode
        /** Directories given away by busy workers to idle ones. */
        LinkedBlockingDeque<Dir> unordered;
        /** Directories in {@link #unordered} plus workers that hold a stack of their own. */
        final AtomicLong pending = new AtomicLong();
        /** Workers waiting on {@link #unordered}. */
        final AtomicInteger idle = new AtomicInteger();
        volatile RuntimeException failure;

        Reader(WalkSpec spec, Platform platform, Cancel cancel) {
            this.spec = spec;
            this.platform = platform;
            this.cancel = cancel;
            this.want = (spec.stat || spec.follow ? Platform.WANT_STAT : 0) | (spec.follow ? Platform.WANT_FOLLOW : 0)
                    | (spec.sizesOnly ? Platform.WANT_SIZES_ONLY : 0);
        }

        Thread[] startWorkers(int n) {
            Thread[] ts = new Thread[n];
            for (int k = 0; k < n; k++) {
                ts[k] = new Thread(this::orderedLoop, "pyfs-jvm-walk");
                ts[k].setDaemon(true);
                ts[k].start();
            }
            return ts;
        }

        void stop(Thread[] workers) {
            stopped = true;
            queue.clear();
            wakeWorkers(workers.length);
            synchronized (budget) {
                budget.notifyAll();
            }
            for (Thread t : workers) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel.cancel();
                    return;
                }
            }
        }

        /**
         * Wakes up to {@code n} workers blocked polling an empty queue, so that they see
         * {@code stopped} now rather than after their poll times out (which cost every walk
         * 10 ms at its end: stop() joins them).
         */
        void wakeWorkers(int n) {
            for (int k = 0; k < n; k++) {
                if (unordered != null) {
                    unordered.offer(WAKE);
                } else {
                    queue.add(WAKE);
                }
            }
        }

        void orderedLoop() {
            try {
                while (!stopped && !cancel.isCancelled()) {
                    if (buffered.get() >= spec.bufferedEntries) {
                        synchronized (budget) {
                            if (buffered.get() >= spec.bufferedEntries && !stopped) {
                                budget.wait(10);
                            }
                        }
                        continue;
                    }
                    Dir d = queue.poll(10, TimeUnit.MILLISECONDS);
                    if (d != null && d != WAKE && d.claim()) {
                        readAndExpand(d);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Listings are reused: allocating a dozen arrays per directory dominated small directories. */
        private final java.util.concurrent.ConcurrentLinkedQueue<DirListing> pool =
                new java.util.concurrent.ConcurrentLinkedQueue<>();

        void recycle(DirListing l) {
            // Only small listings are kept: the pool is there for the many small directories, and
            // must not hold on to the memory of big ones (1024 x 512 entries is ~70 MB at most).
            if (l != null && l.capacity() <= 512 && poolSize.get() < 1024) {
                poolSize.incrementAndGet();
                pool.offer(l);
            }
        }

        private final java.util.concurrent.atomic.AtomicInteger poolSize = new java.util.concurrent.atomic.AtomicInteger();

        private DirListing listing() {
            DirListing l = pool.poll();
            if (l == null) {
                return new DirListing();
            }
            poolSize.decrementAndGet();
            return l;
        }

        void released(int entries) {
            if (entries > 0 && buffered.addAndGet(-entries) < spec.bufferedEntries) {
                synchronized (budget) {
                    budget.notifyAll();
                }
            }
        }

        /**
         * Drops a directory the visitor does not want, and everything read ahead below it: its
         * entries go back to the read-ahead budget, its children that nobody started are never read.
         */
        void discard(Dir d) {
            ArrayDeque<Dir> todo = new ArrayDeque<>();
            todo.push(d);
            while (!todo.isEmpty()) {
                Dir x = todo.pop();
                if (x.claim()) { // nobody started it: it never will be
                    synchronized (x) {
                        x.state.set(Dir.DONE);
                        x.notifyAll();
                    }
                    continue;
                }
                synchronized (x) {
                    while (!x.isDone()) {
                        try {
                            x.wait(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            cancel.cancel();
                            return;
                        }
                    }
                }
                if (x.listing != null) {
                    released(x.listing.count());
                    recycle(x.listing);
                    x.listing = null;
                }
                if (x.children != null) {
                    for (Dir c : x.children) {
                        if (c != null) {
                            todo.push(c);
                        }
                    }
                    x.children = null;
                }
            }
        }

        /** The visitor's next directory: read it here if nobody started it, else wait for it. */
        void awaitOrRead(Dir d, Visitor visitor) {
            if (d.claim()) {
                readAndExpand(d);
                return;
            }
            boolean idled = false;
            synchronized (d) {
                while (!d.isDone()) {
                    cancel.check();
                    if (!idled) {
                        idled = true;
                        visitor.idle();
                    }
                    try {
                        d.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel.cancel();
                    }
                }
            }
        }

        /** Reads {@code d} (ordered walk), queues the children to descend and publishes the result. */
        void readAndExpand(Dir d) {
            readAndExpand(d, listing(), null);
        }

        /**
         * Reads {@code d} into {@code l} and lists the children to descend: onto {@code local} (an
         * unordered worker's stack) or, if null, into the ordered walk's queue.
         */
        void readAndExpand(Dir d, DirListing l, ArrayDeque<Dir> local) {
            try {
                platform.readDirectory(d.path(), want, l);
                if (spec.sort) {
                    l.sortByName();
                }
                d.listing = l;
                d.children = expand(d, l, local);
                if (local == null) {
                    buffered.addAndGet(l.count()); // the ordered walk's read-ahead budget, see released()
                }
            } catch (FsException e) {
                if (local == null) {
                    recycle(l); // before d is published: after, its consumer may recycle too
                }
                d.listing = null;
                d.error = e;
            } catch (RuntimeException e) {
                d.error = new FsException("EIO", d.path(), "internal error reading directory: " + e);
                Log.log(Log.ERROR, LOG, "internal error: " + e, d.path());
            }
            synchronized (d) {
                d.state.set(Dir.DONE);
                d.notifyAll();
            }
        }

        private Dir[] expand(Dir d, DirListing l, ArrayDeque<Dir> local) {
            int n = l.count();
            int childDepth = d.depth() + 1;
            if (childDepth >= spec.maxDepth) {
                return null;
            }
            Dir[] children = null;
            for (int i = 0; i < n; i++) {
                if (l.type(i) != FileType.DIR || spec.hidden(l, i) || vanished(l, i)) {
                    continue;
                }
                if (spec.prune != null && spec.prune.skip(d, i)) {
                    continue;
                }
                Dir.Ancestry anc = null;
                if (spec.follow && l.hasStat()) {
                    if (l.link(i) == DirListing.FOLLOWED && d.ancestry != null
                            && d.ancestry.contains(l.dev(i), l.ino(i))) {
                        loop(d, l, i);
                        continue;
                    }
                    anc = new Dir.Ancestry(l.dev(i), l.ino(i), d.ancestry);
                }
                if (children == null) {
                    children = new Dir[n];
                }
                int[] order = java.util.Arrays.copyOf(d.order(), d.order().length + 1);
                order[order.length - 1] = i;
                Dir c = new Dir(d.childPath(i), childDepth, order, anc);
                if (spec.tagger != null) {
                    c.tag = spec.tagger.tag(d, i); // before the child is published to any reader
                }
                children[i] = c;
                if (local != null) {
                    local.push(c);
                } else {
                    queue.add(c);
                }
            }
            return children;
        }

        private static void loop(Dir d, DirListing l, int i) {
            l.setError(i, "ELOOP"); // reported when the entry is reached (entryError)
        }

        static boolean vanished(DirListing l, int i) {
            return "ENOENT".equals(l.errno(i)) && l.link(i) != DirListing.BROKEN;
        }

        /** Whether the ordered visitor sees entry {@code i} at all. */
        boolean reportable(Dir d, int i) {
            DirListing l = d.listing;
            return !spec.hidden(l, i) && !vanished(l, i);
        }

        /**
         * One worker of an unordered walk. It works through its own stack ({@code local}, filled
         * by the directories it reads), and when that is empty, waits for a directory another
         * worker gave away. {@link #pending} counts the directories in the shared queue plus the
         * workers holding a stack: a worker's whole stack is one count, so reading and pushing a
         * directory touches no shared state, and the walk is over when the count reaches zero.
         */
        void unorderedLoop(DirVisitor visitor, ArrayDeque<Dir> local) {
            boolean holding = !local.isEmpty(); // the caller starts with the root's stack
            DirListing listing = new DirListing(); // this worker's, reused for every directory
            try {
                while (!stopped) {
                    if (cancel.isCancelled()) {
                        stopped = true;
                        return;
                    }
                    Dir d = local.pollFirst();
                    if (d == null) {
                        if (holding) {
                            holding = false;
                            if (pending.decrementAndGet() == 0) {
                                stopped = true; // the last directory: wake the idle workers now
                                wakeWorkers(spec.threads);
                                return;
                            }
                        }
                        idle.incrementAndGet();
                        try {
                            d = unordered.pollFirst(10, TimeUnit.MILLISECONDS);
                        } finally {
                            idle.decrementAndGet();
                        }
                        if (d == null || d == WAKE) {
                            if (pending.get() == 0) {
                                stopped = true;
                            }
                            continue;
                        }
                        holding = true; // the shared directory's count is now this worker's
                    }
                    try {
                        if (d.depth() > 0) {
                            readAndExpand(d, listing, local);
                        }
                        if (d.error != null) {
                            visitor.error(d.error);
                        } else {
                            visitor.directory(d);
                            DirListing l = d.listing;
                            for (int i = 0, n = l.count(); i < n; i++) {
                                FsException e = entryError(d, i);
                                if (e != null) {
                                    visitor.error(e);
                                }
                            }
                        }
                    } catch (RuntimeException e) {
                        failure = e;
                        stopped = true;
                    } finally {
                        d.listing = null;
                        d.children = null;
                    }
                    if (local.size() > 1 && idle.get() > 0) {
                        share(local);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel.cancel();
            }
        }

        /**
         * Gives the older half of a worker's stack to the shared queue: the directories nearest the
         * root, whose subtrees are the largest, so one hand-off keeps the idle worker busy longest.
         */
        private void share(ArrayDeque<Dir> local) {
            int m = local.size() / 2;
            pending.addAndGet(m); // counted before any other worker can take (and finish) them
            for (int k = 0; k < m; k++) {
                unordered.offerLast(local.pollLast());
            }
        }
    }
}
