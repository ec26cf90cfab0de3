package pyfsjvm.search;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Stream;
import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

/** Entry points called from pyfs_jvm/_search.py. Arguments were validated in Python already. */
public final class SearchApi {
    private SearchApi() {}

    /**
     * Starts a search and returns its stream of batches (layout in {@link SearchStream}).
     *
     * @param maxDepth    -1 for unlimited
     * @param maxCount    matches per file, -1 for unlimited (0: no matches)
     * @param maxFilesize larger files are skipped, -1 for no limit
     * @param workers     searching threads, 0 for the configured default
     * @param streaming   small batches sent as soon as Python waits (search_iter), else large ones
     */
    public static Stream open(byte[] root, String pattern, boolean ignoreCase, String glob, int maxDepth,
                              boolean skipHidden, long maxCount, long maxFilesize, int context, boolean follow,
                              int workers, boolean streaming) throws FsException {
        RustRegex re = RustRegex.compile(pattern, ignoreCase);
        Glob g = glob == null ? null : Glob.compile(glob);
        Stat st = new Stat();
        Platform.get().stat(root, true, st);
        boolean single = FileType.fromMode(st.mode) == FileType.FILE;
        // Entry types come from the directory listing (d_type); a stat per file is only needed
        // for max_filesize (ripgrep does not stat either: 76k statx calls are ~10% of a search).
        WalkSpec spec = new WalkSpec(root).maxDepth(maxDepth).follow(follow).sort(true).skipHidden(skipHidden)
                .stat(maxFilesize >= 0).sizesOnly(true);
        return (Stream) new SearchStream(spec, single, re, g, maxCount, maxFilesize, context,
                Workers.resolve(workers), streaming).start();
    }

    /** Validates a pattern (throws the parse error) without searching. */
    public static void checkRegex(String pattern, boolean ignoreCase) throws FsException {
        RustRegex.compile(pattern, ignoreCase);
    }

    /** The RE2/J pattern a Rust-syntax pattern becomes (tests, debugging). */
    public static String translate(String pattern) throws FsException {
        return RustRegex.compile(pattern, false).translated();
    }
}
