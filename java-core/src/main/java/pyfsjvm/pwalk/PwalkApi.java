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

    /**
     * Starts a report (see {@link ReportTask}); Python waits on it and polls its progress.
     *
     * @param compress "zstd", "gzip" or "none"
     * @param level    compression level (zstd 1-22, gzip 1-9)
     * @param format   {@link ReportTask#PWALK} or {@link ReportTask#DEY}
     */
    public static ReportTask startReport(byte[] root, byte[] output, String compress, int level, int format,
                                         boolean header, boolean skipSnapshots, int threads) {
        ReportTask t = new ReportTask(root, output, compress, level, format, header, skipSnapshots, threads);
        t.start();
        return t;
    }

    /** Keeps the Stream type visible to the stubs. */
    static Stream asStream(TreeStream s) {
        return s;
    }
}
