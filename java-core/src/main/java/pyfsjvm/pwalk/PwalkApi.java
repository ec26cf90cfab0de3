package pyfsjvm.pwalk;

import pyfsjvm.bridge.Stream;
import pyfsjvm.bridge.Workers;

/** Entry points called from pyfs_jvm/pwalk.py. Arguments were validated in Python already. */
public final class PwalkApi {
    private PwalkApi() {}

    /**
     * Starts an os.walk-style stream of whole directories (layout in {@link TreeStream}).
     *
     * @param threads directory-reading threads besides the consumer's; 0 for the default
     */
    public static TreeStream openTree(byte[] root, boolean follow, boolean skipSnapshots, int threads,
                                      int maxBatch) {
        int n = threads > 0 ? threads : Workers.io();
        TreeStream s = new TreeStream(root, follow, skipSnapshots, n, maxBatch);
        s.start();
        return s;
    }

    /** Keeps the Stream type visible to the stubs. */
    static Stream asStream(TreeStream s) {
        return s;
    }
}
