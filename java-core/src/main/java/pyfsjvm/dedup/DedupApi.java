package pyfsjvm.dedup;

import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.HashAlgorithm;

/** Entry points called from pyfs_jvm/_dedup.py. Arguments were validated in Python already. */
public final class DedupApi {
    private DedupApi() {}

    /**
     * Starts {@code find_duplicates} (see {@link DedupTask}).
     *
     * @param workers threads for every stage; 0 for the defaults: the configured worker count for
     *                hashing, and the I/O count ({@link Workers#io()}) for the partial stage's small reads,
     *                which mostly wait on the disk when the cache is cold
     */
    public static Task<byte[][]> start(byte[][] paths, boolean recursive, long minSize, String algorithm,
                                       long partialSize, int workers) {
        HashAlgorithm a = HashAlgorithm.of(algorithm);
        int io = workers > 0 ? workers : Workers.io();
        return new DedupTask(paths, recursive, minSize, a, partialSize, Workers.resolve(workers), io).start();
    }
}
