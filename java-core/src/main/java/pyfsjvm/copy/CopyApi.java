package pyfsjvm.copy;

/** Entry points called from pyfs_jvm/_copy.py (arguments were validated there). */
public final class CopyApi {
    private CopyApi() {}

    /** Starts a copy; {@code workers} 0 means the default for I/O-bound work; {@code dryRun} plans and checks only. */
    public static CopyTask copy(byte[][] sources, byte[] destination, boolean overwrite, boolean preserve,
                                boolean followSymlinks, boolean fsync, int workers, boolean dryRun) {
        CopyTask t = new CopyTask(sources, destination, overwrite, preserve, followSymlinks, fsync,
                workers > 0 ? workers : pyfsjvm.bridge.Workers.io(), dryRun);
        t.start();
        return t;
    }

    /** Starts a move. */
    public static MoveTask move(byte[][] sources, byte[] destination, boolean overwrite, boolean verify,
                                boolean fsync, int workers, boolean dryRun) {
        MoveTask t = new MoveTask(sources, destination, overwrite, verify, fsync,
                workers > 0 ? workers : pyfsjvm.bridge.Workers.io(), dryRun);
        t.start();
        return t;
    }
}
