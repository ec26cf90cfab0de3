package pyfsjvm.copy;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.WalkSpec;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link Plan} and checks it against the destination before anything is written: every
 * conflict (an existing destination without overwrite, two sources landing on one path, a file
 * where a directory must go) and every unreadable source directory fails the whole call up front.
 *
 * <p>Directory contents come from the shared walker ({@link EntryTable}): hidden entries and empty
 * directories included, symlinks kept as symlinks unless {@code follow}. FIFOs, sockets and device
 * nodes are not copied (logged).
 */
public final class Planner {
    private final Platform platform = Platform.get();
    private final Stat st = new Stat();
    private final boolean overwrite;
    private final boolean follow;
    private final Cancel cancel;
    final Plan plan = new Plan();
    /** Destination directories planned so far -> whether this plan creates them. */
    private final Map<ByteBuffer, Boolean> dirs = new HashMap<>();
    private final Map<ByteBuffer, Integer> files = new HashMap<>();

    /**
     * Set when this plan has a single source: then no two rows can share a destination, and a tree
     * copied into a directory that does not exist yet needs no checks at all (the common case is
     * then one stat for the whole tree, not one per entry).
     */
    boolean singleSource;

    public Planner(boolean overwrite, boolean follow, Cancel cancel) {
        this.overwrite = overwrite;
        this.follow = follow;
        this.cancel = cancel;
    }

    /** True if {@code p} is a directory (following symlinks); false if missing or not a directory. */
    boolean isDir(byte[] p) {
        try {
            platform.stat(p, true, st);
            return st.isDir();
        } catch (FsException e) {
            return false;
        }
    }

    /** lstat of {@code p} into {@link #st}; false if it does not exist. Other failures throw. */
    private boolean lstat(byte[] p) throws FsException {
        try {
            platform.stat(p, false, st);
            return true;
        } catch (FsException e) {
            if ("ENOENT".equals(e.errno())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Adds source {@code src} copied to exactly {@code dst} (no nesting: a directory's contents go
     * to {@code dst/...}). Returns false if the source is neither file, directory nor symlink.
     */
    public boolean addSource(byte[] src, byte[] dst) throws FsException {
        cancel.check();
        Stat s = new Stat();
        platform.stat(src, follow, s);
        plan.sources++;
        if (s.isDir()) {
            int row = plan.add(Plan.DIR, src, dst, 0, s.mtimeSec, s.mtimeNsec);
            plan.top[row] = true;
            checkDir(row);
            addTree(src, dst, singleSource && plan.fresh[row]);
            return true;
        }
        if (s.isFile()) {
            checkFile(plan.add(Plan.FILE, src, dst, s.size, s.mtimeSec, s.mtimeNsec));
            return true;
        }
        if (s.isSymlink()) {
            checkFile(plan.add(Plan.LINK, src, dst, s.size, s.mtimeSec, s.mtimeNsec));
            return true;
        }
        Log.warning("copy", "not copied: not a regular file, directory or symlink", src);
        return false;
    }

    private void addTree(byte[] src, byte[] dst, boolean allFresh) throws FsException {
        WalkSpec spec = new WalkSpec(src).sort(true).follow(follow).skipHidden(false);
        EntryTable t = EntryTable.collect(spec, EntryTable.FILES | EntryTable.DIRS | EntryTable.SYMLINKS
                | EntryTable.OTHER, null, cancel);
        if (!t.errors().isEmpty()) {
            // An unreadable directory or a symlink loop: copying the rest would silently lose it
            // (and a move would then delete it). Refuse before writing anything.
            throw t.errors().get(0);
        }
        for (int i = 0; i < t.count(); i++) {
            cancel.check();
            byte[] rel = t.relativePath(i);
            byte[] s = t.path(i);
            byte[] d = PathBytes.join(dst, rel);
            byte ty = t.type(i);
            if (allFresh) {
                byte k = ty == FileType.DIR ? Plan.DIR : ty == FileType.FILE ? Plan.FILE
                        : ty == FileType.SYMLINK ? Plan.LINK : -1;
                if (k >= 0) {
                    int row = plan.add(k, s, d, t.size(i), t.mtimeSec(i), t.mtimeNsec(i)); // may grow the arrays
                    plan.fresh[row] = true;
                    continue;
                }
            }
            if (ty == FileType.DIR) {
                checkDir(plan.add(Plan.DIR, s, d, 0, t.mtimeSec(i), t.mtimeNsec(i)));
            } else if (ty == FileType.FILE) {
                checkFile(plan.add(Plan.FILE, s, d, t.size(i), t.mtimeSec(i), t.mtimeNsec(i)));
            } else if (ty == FileType.SYMLINK) {
                checkFile(plan.add(Plan.LINK, s, d, t.size(i), t.mtimeSec(i), t.mtimeNsec(i)));
            } else {
                Log.warning("copy", "not copied: not a regular file, directory or symlink", s);
            }
        }
    }

    /** Whether the parent of row {@code i}'s destination is a directory this plan creates. */
    private boolean parentFresh(int i) {
        Boolean f = dirs.get(ByteBuffer.wrap(PathBytes.parent(plan.dst[i])));
        return f != null && f;
    }

    private void checkDir(int i) throws FsException {
        byte[] d = plan.dst[i];
        ByteBuffer key = ByteBuffer.wrap(d);
        if (files.containsKey(key)) {
            throw twoSources(d);
        }
        if (dirs.containsKey(key)) {
            plan.fresh[i] = dirs.get(key);
            return; // two sources merge into one directory, as cp does
        }
        boolean fresh = parentFresh(i);
        if (!fresh) {
            if (!lstat(d)) {
                fresh = true;
            } else if (!st.isDir() && !(st.isSymlink() && isDir(d))) {
                if (!overwrite) {
                    throw FileCopier.exists(d);
                }
                throw new FsException("EEXIST", d, "cannot replace a non-directory with a directory");
            }
        }
        plan.fresh[i] = fresh;
        dirs.put(key, fresh);
    }

    private void checkFile(int i) throws FsException {
        byte[] d = plan.dst[i];
        ByteBuffer key = ByteBuffer.wrap(d);
        if (files.containsKey(key) || dirs.containsKey(key)) {
            throw twoSources(d);
        }
        files.put(key, i);
        if (parentFresh(i)) {
            plan.fresh[i] = true;
            return;
        }
        if (!lstat(d)) {
            return;
        }
        if (!overwrite) {
            throw FileCopier.exists(d);
        }
        if (st.isDir()) {
            throw new FsException("EISDIR", d, "Is a directory");
        }
        plan.replaces[i] = true;
    }

    private static FsException twoSources(byte[] d) {
        return new FsException("EEXIST", d, "two sources would be copied to the same destination");
    }
}
