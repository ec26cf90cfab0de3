package pyfsjvm.snapshot;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

/** Entry points called from pyfs_jvm/_snapshot.py. Arguments were validated in Python already. */
public final class SnapshotApi {
    private SnapshotApi() {}

    /**
     * Starts a snapshot (or, with {@code only}, the listing and hashing for a verify).
     *
     * @param maxDepth -1 for unlimited
     * @param glob     basename glob or null
     * @param workers  hashing threads; 0 for the configured default
     * @param only     NUL-terminated relative paths to hash (verify), or null to hash every file
     */
    public static Task<byte[][]> start(byte[] root, String algorithm, boolean skipHidden, String glob, int maxDepth,
                                       boolean follow, int workers, byte[] only) throws FsException {
        HashAlgorithm a = HashAlgorithm.of(algorithm);
        Glob g = glob == null ? null : Glob.compile(glob);
        WalkSpec spec = new WalkSpec(root).maxDepth(maxDepth).follow(follow).skipHidden(skipHidden);
        return new SnapshotTask(spec, g, a, Workers.resolve(workers), only).start();
    }
}
