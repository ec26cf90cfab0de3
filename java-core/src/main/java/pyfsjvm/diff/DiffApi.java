package pyfsjvm.diff;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.walk.Glob;

/** Entry points called from pyfs_jvm/_diff.py and _sync.py (arguments were validated there). */
public final class DiffApi {
    private DiffApi() {}

    /** Starts {@code diff_dirs}; {@code maxDepth} -1 for unlimited, {@code workers} 0 for the default. */
    public static DiffTask diff(byte[] source, byte[] target, String algorithm, boolean compareContent,
                                boolean skipHidden, String glob, int maxDepth, boolean detectMoves, int workers)
            throws FsException {
        DiffTask t = new DiffTask(source, target, HashAlgorithm.of(algorithm), compareContent, skipHidden,
                glob == null ? null : Glob.compile(glob), maxDepth, detectMoves, Workers.resolve(workers));
        t.start();
        return t;
    }

    /**
     * Starts {@code sync}. {@code algorithm} is checked (an unknown name fails here) but not used:
     * sync compares same-size files byte by byte, which needs no digest.
     */
    public static SyncTask sync(byte[] source, byte[] target, String algorithm, boolean deleteExtra,
                                boolean skipHidden, String glob, int maxDepth, boolean dryRun, boolean preserve,
                                boolean checksum, boolean events, int workers) throws FsException {
        HashAlgorithm.of(algorithm);
        SyncTask t = new SyncTask(source, target, deleteExtra, skipHidden,
                glob == null ? null : Glob.compile(glob), maxDepth, dryRun, preserve, checksum, events,
                workers > 0 ? workers : Workers.io());
        t.start();
        return t;
    }
}
