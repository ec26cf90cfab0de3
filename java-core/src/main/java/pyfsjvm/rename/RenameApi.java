package pyfsjvm.rename;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.search.RustRegex;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

/** Entry points called from pyfs_jvm/_rename.py. Arguments were validated in Python already. */
public final class RenameApi {
    private RenameApi() {}

    /**
     * Starts planning a bulk rename ({@link RenamePlan}); nothing is renamed.
     *
     * @param maxDepth -1 for unlimited
     */
    public static Task<RenamePlan> plan(byte[] root, String pattern, String replacement, int maxDepth,
                                        boolean skipHidden, String glob, boolean includeDirs) throws FsException {
        RustRegex re = RustRegex.compile(pattern, false);
        Replacement rep = new Replacement(replacement, re);
        Glob g = glob == null ? null : Glob.compile(glob);
        WalkSpec spec = new WalkSpec(root).maxDepth(maxDepth).sort(true).skipHidden(skipHidden);
        return new RenamePlan(spec, re, rep, g, includeDirs).start();
    }

    /** Validates a replacement against a pattern (throws the error text) without walking. */
    public static void checkReplacement(String pattern, String replacement) throws FsException {
        new Replacement(replacement, RustRegex.compile(pattern, false));
    }
}
