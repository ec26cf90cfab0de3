package pyfsjvm.diff;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

import java.util.Arrays;

/** The shared tree listing of diff and sync: the one walker, rows sorted by relative path. */
final class Trees {
    private Trees() {}

    /**
     * The entries of kinds {@code keep} under {@code root}, sorted by relative path (bytes, unsigned).
     * Symlinks are never followed. {@code skipHidden} leaves out hidden names and does not descend
     * hidden directories. Unreadable directories are logged (logger {@code logName}) and kept in
     * {@link EntryTable#errors()}: their contents are simply not seen.
     */
    static EntryTable list(byte[] root, int keep, boolean skipHidden, int maxDepth, Glob glob, Cancel cancel,
                           String logName) throws FsException {
        // Sorting each directory (on the reader threads) makes the walk emit nearly in path order,
        // so the final sort is a linear check or a short adaptive merge instead of a full sort.
        WalkSpec spec = new WalkSpec(root).follow(false).sort(true).skipHidden(skipHidden).maxDepth(maxDepth);
        EntryTable t = EntryTable.collect(spec, keep, glob, cancel);
        for (FsException e : t.errors()) {
            Log.warning(logName, e.reason(), e.path());
        }
        t.sortByRelativePath();
        return t;
    }

    /**
     * Starts listing {@code root} on a pool thread, so that two trees are read at once (each walk's
     * consumer is one thread; two overlap well even on two cores). {@link Pending#get} waits.
     */
    static Pending listLater(byte[] root, int keep, boolean skipHidden, int maxDepth, Glob glob, Cancel cancel,
                             String logName) {
        java.util.concurrent.Future<EntryTable> f = pyfsjvm.bridge.Workers.pool().submit(
                () -> list(root, keep, skipHidden, maxDepth, glob, cancel, logName));
        return new Pending(f, cancel);
    }

    /** A listing running on another thread. */
    static final class Pending {
        private final java.util.concurrent.Future<EntryTable> future;
        private final Cancel cancel;

        Pending(java.util.concurrent.Future<EntryTable> future, Cancel cancel) {
            this.future = future;
            this.cancel = cancel;
        }

        EntryTable get() throws FsException {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    cancel.cancel(); // keep waiting: the walk must stop before we return
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof FsException fe) {
                        throw fe;
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error er) {
                        throw er;
                    }
                    throw new IllegalStateException(c);
                }
            }
        }

        /** Stops the walk (if it still runs) and waits for it, ignoring its outcome. */
        void abandon() {
            cancel.cancel();
            try {
                get();
            } catch (FsException | RuntimeException e) {
                // we are already failing for another reason
            }
        }
    }

    /** Compares the relative paths of row {@code i} of {@code a} and row {@code j} of {@code b}. */
    static int compare(EntryTable a, int i, EntryTable b, int j) {
        return Arrays.compareUnsigned(
                a.pathBytes(i), a.pathStart(i) + a.relativeOffset(i), a.pathStart(i) + a.pathLength(i),
                b.pathBytes(j), b.pathStart(j) + b.relativeOffset(j), b.pathStart(j) + b.pathLength(j));
    }

    /** Hex digest, lower case. */
    static String hex(byte[] digest) {
        return java.util.HexFormat.of().formatHex(digest);
    }
}
