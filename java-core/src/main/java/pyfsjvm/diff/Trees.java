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
        WalkSpec spec = new WalkSpec(root).follow(false).sort(false).skipHidden(skipHidden).maxDepth(maxDepth);
        EntryTable t = EntryTable.collect(spec, keep, glob, cancel);
        for (FsException e : t.errors()) {
            Log.warning(logName, e.reason(), e.path());
        }
        t.sortByRelativePath();
        return t;
    }

    /** Compares the relative paths of row {@code i} of {@code a} and row {@code j} of {@code b}. */
    static int compare(EntryTable a, int i, EntryTable b, int j) {
        return Arrays.compareUnsigned(
                a.pathBytes(), a.pathStart(i) + a.relativeOffset(i), a.pathStart(i) + a.pathLength(i),
                b.pathBytes(), b.pathStart(j) + b.relativeOffset(j), b.pathStart(j) + b.pathLength(j));
    }

    /** Hex digest, lower case. */
    static String hex(byte[] digest) {
        return java.util.HexFormat.of().formatHex(digest);
    }
}
