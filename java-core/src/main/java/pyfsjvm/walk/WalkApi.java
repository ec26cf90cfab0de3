package pyfsjvm.walk;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Stream;

/** Entry points called from pyfs_jvm/walk.py. Arguments were validated in Python already. */
public final class WalkApi {
    private WalkApi() {}

    /**
     * Starts a walk and returns its stream of batches (layout in {@link WalkStream}).
     *
     * @param maxDepth  -1 for unlimited
     * @param fileType  {@link WalkStream#ANY}, {@link WalkStream#FILES} or {@link WalkStream#DIRS}
     * @param glob      basename glob or null; a bad glob throws before anything starts
     * @param threads   directory-reading threads, 0 for the configured default
     * @param maxBatch  largest batch in rows (walk_collect uses large batches, walk smaller ones)
     */
    public static Stream open(byte[] root, int maxDepth, boolean follow, boolean sort, boolean skipHidden,
                              int fileType, String glob, int threads, int maxBatch) throws FsException {
        Glob g = glob == null ? null : Glob.compile(glob);
        WalkSpec spec = new WalkSpec(root).maxDepth(maxDepth).follow(follow).sort(sort).skipHidden(skipHidden)
                .sizesOnly(true);
        if (threads > 0) {
            spec.threads(threads);
        }
        if (maxDepth == 0) {
            spec.threads(0); // nothing below the root is reported: read the root and stop
        }
        return (Stream) new WalkStream(spec, fileType, g, maxBatch).start();
    }

    /** Validates a glob (raises the globset error text) without walking. */
    public static void checkGlob(String glob) throws FsException {
        Glob.compile(glob);
    }
}
