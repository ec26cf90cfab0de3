package pyfsjvm.du;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

/** Entry points called from pyfs_jvm/_du.py. Arguments were validated in Python already. */
public final class DuApi {
    private DuApi() {}

    /**
     * Starts a disk-usage scan (see {@link DuTask}).
     *
     * @param maxDepth      -1 for unlimited; directories deeper are not read
     * @param threads       directory-reading threads, 0 for the default
     * @param fileThreshold list regular files at least this large individually (depth-1 files always)
     */
    public static Task<byte[][]> start(byte[] root, int maxDepth, boolean skipHidden, boolean follow, String glob,
                                       int threads, long fileThreshold) throws FsException {
        Glob g = glob == null ? null : Glob.compile(glob);
        WalkSpec spec = new WalkSpec(root).maxDepth(maxDepth).follow(follow).skipHidden(skipHidden);
        if (threads > 0) {
            spec.threads(threads);
        }
        return new DuTask(spec, g, skipHidden, fileThreshold).start();
    }
}
