package pyfsjvm.copy;

import pyfsjvm.bridge.FsException;

import java.util.ArrayList;
import java.util.List;

/**
 * pyfs-watcher's {@code copy_files}, planned in full and checked before the first byte is written.
 *
 * <p>Destinations (the reference's rules): a directory source always nests,
 * {@code destination/<name>/...}; a file source goes to {@code destination/<name>} when
 * {@code destination} is a directory, else to {@code destination} itself. Beyond the reference: with
 * more than one source {@code destination} is always a directory (created if missing) instead of
 * every file landing on the same path.
 */
public final class CopyTask extends Transfer {
    private final byte[][] sources;
    private final byte[] destination;
    private final boolean overwrite;
    private final boolean preserve;
    private final boolean follow;
    private final boolean fsync;
    private final int workers;
    private final boolean dryRun;

    CopyTask(byte[][] sources, byte[] destination, boolean overwrite, boolean preserve, boolean follow,
             boolean fsync, int workers, boolean dryRun) {
        this.dryRun = dryRun;
        this.sources = sources;
        this.destination = destination;
        this.overwrite = overwrite;
        this.preserve = preserve;
        this.follow = follow;
        this.fsync = fsync;
        this.workers = workers;
    }

    @Override
    protected byte[] compute() throws FsException {
        Planner planner = new Planner(overwrite, follow, cancel);
        planner.singleSource = sources.length == 1;
        boolean destIsDir = sources.length > 1 || planner.isDir(destination);
        for (byte[] src : sources) {
            byte[] name = PathBytes.basename(src);
            boolean dir = planner.isDir(src) && (follow || !isSymlink(src));
            byte[] dst = dir || destIsDir ? PathBytes.join(destination, name) : destination;
            planner.addSource(src, dst);
        }
        Plan plan = planner.plan;
        totalBytes = plan.totalBytes;
        totalFiles = plan.totalFiles;
        planned = true;
        if (dryRun) {
            return pack(results(plan)); // planned and checked; nothing written
        }
        CopyEngine e = new CopyEngine(plan, overwrite, preserve, fsync, workers, cancel, bytes, filesDone);
        engine = e;
        e.run();
        return pack(results(plan));
    }

    private static List<byte[]> results(Plan plan) {
        List<byte[]> out = new ArrayList<>(plan.totalFiles);
        for (int i = 0; i < plan.count; i++) {
            if (plan.kind[i] != Plan.DIR) {
                out.add(plan.dst[i]);
            }
        }
        return out;
    }

    static boolean isSymlink(byte[] p) {
        try {
            pyfsjvm.platform.Stat st = new pyfsjvm.platform.Stat();
            pyfsjvm.platform.Platform.get().stat(p, false, st);
            return st.isSymlink();
        } catch (FsException e) {
            return false;
        }
    }
}
