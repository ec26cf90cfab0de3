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
     * @param workers hashing threads; 0 for the configured default
     */
    public static Task<byte[][]> start(byte[][] paths, boolean recursive, long minSize, String algorithm,
                                       long partialSize, int workers) {
        HashAlgorithm a = HashAlgorithm.of(algorithm);
        return new DedupTask(paths, recursive, minSize, a, partialSize, Workers.resolve(workers)).start();
    }
}
