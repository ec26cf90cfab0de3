package pyfsjvm.rez;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Parallel;
import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Enumerates rez filesystem package repositories exactly as rez's {@code filesystem} repository
 * plugin does ({@code _get_family_dirs}, {@code _get_version_dirs}, {@code _get_file},
 * {@code FileSystemPackageFamilyResource.iter_packages}; rules in specs/rez-scan.md, sections 3-5),
 * without reading any package file.
 *
 * <p>Work per repository: one directory read for the root and one per family directory (both by
 * the shared {@link Walker}, types from {@code d_type}), and a {@code stat} only where rez's
 * answer needs one that the listing cannot give: a symlink's target, and the package file inside
 * each version directory (rez's {@code isfile}). Version directories are never listed.
 *
 * <p>Result: two {@link Columns} batches. Packages, "isssB": repository index, family, version
 * (the raw directory name; empty for an unversioned package), package file (empty when the version
 * directory has none), format ({@link #FORMAT_NONE}, {@link #FORMAT_PY}, {@link #FORMAT_YAML}).
 * Families, "iBsss": repository index, kind ({@link #FAMILY}, {@link #FAMILY_PY},
 * {@link #FAMILY_YAML} or {@link #ERROR}), name, path (the family directory or combined file; for
 * an error, the path that failed), error text ("ERRNO:reason", empty otherwise). Rows come grouped
 * by repository, in the order given; packages of one family are contiguous; order within a
 * repository is unspecified, as in rez. Combined families' versions are inside their files, which
 * Python reads (pyfs_jvm/rez.py).
 */
public final class RezScan extends Task<byte[][]> {
    public static final byte FAMILY = 0;
    public static final byte FAMILY_PY = 1;
    public static final byte FAMILY_YAML = 2;
    public static final byte ERROR = 5;

    public static final byte FORMAT_NONE = 0;
    public static final byte FORMAT_PY = 1;
    public static final byte FORMAT_YAML = 2;

    private static final byte[] SETTINGS = ascii("settings.yaml");
    private static final byte[] BUILDING = ascii(".building");
    private static final byte[] IGNORE = ascii(".ignore");
    private static final byte[] PY = ascii(".py");
    private static final byte[] YAML = ascii(".yaml");
    private static final byte[][] PACKAGE_ONLY = {ascii("package")};

    private final byte[][] roots;
    private final byte[][] lockDirs;
    private final boolean allowUnversioned;
    private final boolean strict;
    private final boolean useIgnore;
    private final boolean versions;
    private final byte[][] fileNames;
    private final boolean onlyPackageNames;
    private final int threads;
    private final Platform platform;
    /** The candidate file names: fileNames[b] + ".py" at 2b, + ".yaml" at 2b + 1. */
    private final byte[][] candidates;
    /** Package rows: repository index, family, version, package file, format. */
    private final Columns out = new Columns("isssB", 4096);
    /** Family rows (and error rows): repository index, kind, name, path, error text. */
    private final Columns fams = new Columns("iBsss", 256);

    /**
     * @param roots            canonical repository locations (realpath + normpath, done in Python)
     * @param lockDirs         per root, the {@code file_lock_dir} name to skip, or null
     * @param fileNames        {@code package_filenames}, in order
     * @param versions         false: families only (version directories are not read)
     * @param threads          directory-reading threads, 0 for the default
     */
    public RezScan(byte[][] roots, byte[][] lockDirs, boolean allowUnversioned, boolean strict,
                   boolean useIgnore, byte[][] fileNames, boolean versions, int threads, Platform platform) {
        this.roots = roots;
        this.lockDirs = lockDirs;
        this.allowUnversioned = allowUnversioned;
        this.strict = strict;
        this.useIgnore = useIgnore;
        this.fileNames = fileNames;
        this.onlyPackageNames = fileNames.length == 1 && Arrays.equals(fileNames[0], PACKAGE_ONLY[0]);
        this.versions = versions;
        this.threads = threads > 0 ? threads : Workers.io();
        this.platform = platform;
        this.candidates = new byte[fileNames.length * 2][];
        for (int b = 0; b < fileNames.length; b++) {
            candidates[2 * b] = concat(fileNames[b], PY);
            candidates[2 * b + 1] = concat(fileNames[b], YAML);
        }
    }

    /** Starts a scan on the shared pool (called from pyfs_jvm/rez.py). */
    public static Task<byte[][]> start(byte[][] roots, byte[][] lockDirs, boolean allowUnversioned, boolean strict,
                                     boolean useIgnore, byte[][] fileNames, boolean versions, int threads) {
        return new RezScan(roots, lockDirs, allowUnversioned, strict, useIgnore, fileNames, versions, threads,
                Platform.get()).start();
    }

    @Override
    protected byte[][] compute() throws FsException {
        for (int r = 0; r < roots.length; r++) {
            cancel.check();
            scanRoot(r);
        }
        return new byte[][] {out.pack(), fams.pack()};
    }

    // ------------------------------------------------------------------ repository root

    private void scanRoot(int r) throws FsException {
        byte[] root = roots[r];
        byte[] lock = lockDirs == null ? null : lockDirs[r];
        // Family directories the walker descends (recorded when it decides), to tell a family
        // that could not be read from an entry whose stat failed: both arrive as errors.
        Set<String> descended = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<FsException> errors = new ConcurrentLinkedQueue<>();
        List<byte[]> linked = new ArrayList<>();
        WalkSpec spec = new WalkSpec(root).maxDepth(versions ? 2 : 1).stat(false).threads(threads)
                .platform(platform)
                .prune((parent, i) -> {
                    DirListing l = parent.listing();
                    if (parent.depth() != 0 || !isFamilyDirName(l, i, lock)) {
                        return true;
                    }
                    descended.add(latin1(l, i));
                    return false;
                });
        try {
            Walker.walkUnordered(spec, cancel, new Walker.DirVisitor() {
                @Override
                public void directory(Dir d) {
                    if (d.depth() == 0) {
                        visitRoot(r, d, lock, linked);
                    } else {
                        byte[] p = d.path();
                        visitFamily(r, p, lastName(p), d.listing());
                    }
                }

                @Override
                public void error(FsException e) {
                    errors.add(e);
                }
            });
        } catch (FsException e) {
            String errno = e.errno();
            if ("ENOENT".equals(errno) || "ENOTDIR".equals(errno)) {
                return; // rez: a location that is not a directory has no families
            }
            throw e;
        }
        for (FsException e : errors) {
            byte[] p = e.path();
            if (p != null && isChildOf(p, root) && descended.contains(new String(lastName(p), StandardCharsets.ISO_8859_1))) {
                unreadableFamily(r, p, e);
            }
            // Other errors are entries whose type could not be read: rez's isdir/isfile say
            // False for them, and so do we (their type stays UNKNOWN).
        }
        if (!linked.isEmpty()) {
            // Families reached through a symlink: the walker does not follow links (following
            // would stat every version entry), so these are read here, in parallel.
            Parallel.forEach(linked.size(), threads, cancel, k -> {
                byte[] p = linked.get(k);
                DirListing l = new DirListing();
                try {
                    platform.readDirectory(p, 0, l);
                } catch (FsException e) {
                    unreadableFamily(r, p, e);
                    return;
                }
                visitFamily(r, p, lastName(p), l);
            });
        }
    }

    /** {@code _get_family_dirs} over the root listing: family rows, and the linked families to read. */
    private void visitRoot(int r, Dir d, byte[] lock, List<byte[]> linked) {
        DirListing l = d.listing();
        byte[] names = l.nameArray();
        for (int i = 0, n = l.count(); i < n; i++) {
            if (l.nameIs(i, SETTINGS) || (lock != null && l.nameIs(i, lock))) {
                continue;
            }
            int s = l.nameStart(i);
            int len = l.nameLength(i);
            byte t = l.type(i);
            boolean isDir = t == FileType.DIR || (t == FileType.SYMLINK && targetType(d.childPath(i)) == FileType.DIR);
            if (isDir) {
                if (RezNames.isValidPackageName(names, s, len)) {
                    byte[] path = d.childPath(i);
                    if (t == FileType.SYMLINK && versions) {
                        linked.add(path);
                    }
                    familyRow(r, FAMILY, names, s, len, path, null);
                }
                continue;
            }
            int dot = lastDot(names, s, len);
            if (dot < 0) {
                continue;
            }
            byte kind;
            if (Arrays.equals(names, dot, s + len, PY, 0, PY.length)) {
                kind = FAMILY_PY;
            } else if (Arrays.equals(names, dot, s + len, YAML, 0, YAML.length)) {
                kind = FAMILY_YAML;
            } else {
                continue;
            }
            if (RezNames.isValidPackageName(names, s, dot - s)) {
                familyRow(r, kind, names, s, dot - s, d.childPath(i), null);
            }
        }
    }

    private static boolean isFamilyDirName(DirListing l, int i, byte[] lock) {
        if (l.nameIs(i, SETTINGS) || (lock != null && l.nameIs(i, lock))) {
            return false;
        }
        return RezNames.isValidPackageName(l.nameArray(), l.nameStart(i), l.nameLength(i));
    }

    // ------------------------------------------------------------------ one family

    /** {@code FileSystemPackageFamilyResource.iter_packages} for family directory {@code famPath}. */
    void visitFamily(int r, byte[] famPath, byte[] family, DirListing l) {
        if (allowUnversioned) {
            int f = findFile(famPath, l, fileNames);
            if (f >= 0) {
                synchronized (out) {
                    row(r, family, null, 0, 0, filePath(famPath, f), format(f));
                }
                return;
            }
        }
        int n = l.count();
        byte[] names = l.nameArray();
        // Marker entries are rare: find them once so that most versions need no lookup at all.
        int[] markers = null;
        int nMarkers = 0;
        for (int i = 0; i < n; i++) {
            if (l.isHidden(i)) {
                if (markers == null) {
                    markers = new int[4];
                } else if (nMarkers == markers.length) {
                    markers = Arrays.copyOf(markers, nMarkers * 2);
                }
                markers[nMarkers++] = i;
            }
        }
        boolean[] keep = new boolean[n];
        int[] file = new int[n];
        byte[][] verPath = new byte[n][];
        int kept = 0;
        if (strict) {
            for (int i = 0; i < n; i++) {
                if (l.isHidden(i) || !isDir(famPath, l, i) || ignored(famPath, l, i, markers, nMarkers)) {
                    continue;
                }
                byte[] ver = childPath(famPath, names, l.nameStart(i), l.nameLength(i));
                int p = findFile(ver, null, PACKAGE_ONLY); // hard-coded "package" in rez
                if (p < 0) {
                    continue;
                }
                int f = onlyPackageNames ? p : findFile(ver, null, fileNames);
                if (f < 0) {
                    continue; // iter_packages' second check, with the configured names
                }
                keep[i] = true;
                file[i] = f;
                verPath[i] = ver;
                kept++;
            }
        } else {
            for (int i = 0; i < n; i++) {
                // As in rez, a ".building*" name falls through to the directory test (no
                // 'continue'), so a directory named ".building2.5" is itself a version.
                if (l.isHidden(i) && !startsWith(l, i, BUILDING)) {
                    continue;
                }
                if (isDir(famPath, l, i) && !ignored(famPath, l, i, markers, nMarkers)) {
                    keep[i] = true;
                    kept++;
                }
            }
            for (int m = 0; m < nMarkers; m++) {
                int b = markers[m];
                if (!startsWith(l, b, BUILDING)) {
                    continue;
                }
                int vs = l.nameStart(b) + BUILDING.length;
                int vl = l.nameLength(b) - BUILDING.length;
                int v = find(l, names, vs, vl);
                if (v >= 0 && keep[v]
                        && findFile(childPath(famPath, names, vs, vl), null, PACKAGE_ONLY) < 0) {
                    keep[v] = false; // probably still being installed
                    kept--;
                }
            }
            for (int i = 0; i < n; i++) {
                if (keep[i]) {
                    // The package file, as rez's uri gives it (-1: none, rez's uri None).
                    verPath[i] = childPath(famPath, names, l.nameStart(i), l.nameLength(i));
                    file[i] = findFile(verPath[i], null, fileNames);
                }
            }
        }
        if (kept == 0) {
            return;
        }
        synchronized (out) {
            for (int i = 0; i < n; i++) {
                if (!keep[i]) {
                    continue;
                }
                int s = l.nameStart(i);
                int len = l.nameLength(i);
                byte[] path = file[i] < 0 ? null : filePath(verPath[i], file[i]);
                row(r, family, names, s, len, path, format(file[i]));
            }
        }
    }

    /**
     * A family directory that could not be listed. rez first looks for an unversioned package
     * file (by path, which works in a searchable but unreadable directory), then lists the
     * directory, which raises: the same here, as an error row.
     */
    private void unreadableFamily(int r, byte[] famPath, FsException e) {
        byte[] family = lastName(famPath);
        if (allowUnversioned) {
            int f = findFile(famPath, null, fileNames);
            if (f >= 0) {
                synchronized (out) {
                    row(r, family, null, 0, 0, filePath(famPath, f), format(f));
                }
                return;
            }
        }
        byte[] msg = ((e.errno() == null ? "EIO" : e.errno()) + ":" + e.reason()).getBytes(StandardCharsets.UTF_8);
        familyRow(r, ERROR, family, 0, family.length, e.path(), msg);
    }

    // ------------------------------------------------------------------ rez's predicates

    /** {@code os.path.isdir(FAMILY/name)}: the listing's type, a stat only for symlinks. */
    private boolean isDir(byte[] famPath, DirListing l, int i) {
        byte t = l.type(i);
        if (t == FileType.SYMLINK) {
            return targetType(childPath(famPath, l.nameArray(), l.nameStart(i), l.nameLength(i))) == FileType.DIR;
        }
        return t == FileType.DIR;
    }

    /** {@code os.path.isfile(FAMILY/".ignore" + name)}, looked up in the listing. */
    private boolean ignored(byte[] famPath, DirListing l, int i, int[] markers, int nMarkers) {
        if (!useIgnore || nMarkers == 0) {
            return false;
        }
        byte[] names = l.nameArray();
        int s = l.nameStart(i);
        int len = l.nameLength(i);
        for (int m = 0; m < nMarkers; m++) {
            int k = markers[m];
            int ks = l.nameStart(k);
            if (l.nameLength(k) == IGNORE.length + len && startsWith(l, k, IGNORE)
                    && Arrays.equals(names, ks + IGNORE.length, ks + IGNORE.length + len, names, s, s + len)) {
                return isFile(famPath, l, k);
            }
        }
        return false;
    }

    private boolean isFile(byte[] dir, DirListing l, int k) {
        byte t = l.type(k);
        if (t == FileType.SYMLINK) {
            return targetType(childPath(dir, l.nameArray(), l.nameStart(k), l.nameLength(k))) == FileType.FILE;
        }
        return t == FileType.FILE;
    }

    /**
     * {@code _get_file(dir, names)}: for each base name in order, {@code .py} then {@code .yaml},
     * the first that is a file (following symlinks). Returns {@code 2 * base + (0 py | 1 yaml)}
     * indexing {@code names}, or -1. With {@code l} (the listing of {@code dir}) the names are
     * looked up there, and only symlinks are stat'ed; otherwise each candidate is stat'ed.
     */
    private int findFile(byte[] dir, DirListing l, byte[][] bases) {
        for (int b = 0; b < bases.length; b++) {
            for (int e = 0; e < 2; e++) {
                byte[] name = candidate(bases, b, e);
                if (l != null && indexOf(name, (byte) '/') < 0) {
                    int k = find(l, name, 0, name.length);
                    if (k >= 0 && isFile(dir, l, k)) {
                        return encode(bases, b, e);
                    }
                } else if (targetType(join(dir, name)) == FileType.FILE) {
                    return encode(bases, b, e);
                }
            }
        }
        return -1;
    }

    private byte[] candidate(byte[][] bases, int b, int e) {
        return bases == PACKAGE_ONLY ? PACKAGE_FILES[e] : candidates[2 * b + e];
    }

    private static final byte[][] PACKAGE_FILES = {ascii("package.py"), ascii("package.yaml")};

    /** Encodes a found candidate so that the row can name the file: always in {@code fileNames} terms. */
    private int encode(byte[][] bases, int b, int e) {
        if (bases == PACKAGE_ONLY) {
            // "package" found by a hard-coded check: the same file under fileNames, if listed there
            for (int k = 0; k < fileNames.length; k++) {
                if (Arrays.equals(fileNames[k], PACKAGE_ONLY[0])) {
                    return 2 * k + e;
                }
            }
            return -2 - e; // "package" not among fileNames (only used as a yes/no answer)
        }
        return 2 * b + e;
    }

    private byte[] filePath(byte[] dir, int f) {
        return join(dir, f >= 0 ? candidates[f] : PACKAGE_FILES[-2 - f]);
    }

    private static byte format(int f) {
        if (f == -1) {
            return FORMAT_NONE;
        }
        int e = f >= 0 ? f & 1 : -2 - f;
        return e == 0 ? FORMAT_PY : FORMAT_YAML;
    }

    /** The type of what {@code path} leads to (stat, following symlinks); UNKNOWN if it fails. */
    private byte targetType(byte[] path) {
        return platform.typeOf(path, true);
    }

    // ------------------------------------------------------------------ rows and bytes

    /** A package row; the caller holds the lock on {@code out}. {@code ver} null: unversioned. */
    private void row(int r, byte[] fam, byte[] ver, int vs, int vl, byte[] path, byte format) {
        int row = out.addRow();
        out.setInt(0, row, r);
        out.putString(1, fam, 0, fam.length);
        out.putString(2, ver == null ? fam : ver, vs, vl);
        out.putString(3, path == null ? fam : path, 0, path == null ? 0 : path.length);
        out.setByte(4, row, format);
    }

    private void familyRow(int r, byte kind, byte[] name, int s, int len, byte[] path, byte[] text) {
        synchronized (fams) {
            int row = fams.addRow();
            fams.setInt(0, row, r);
            fams.setByte(1, row, kind);
            fams.putString(2, name, s, len);
            fams.putString(3, path, 0, path.length);
            if (text != null) {
                fams.putString(4, text, 0, text.length);
            } else {
                fams.putString(4, name, 0, 0);
            }
        }
    }

    private static int find(DirListing l, byte[] name, int s, int len) {
        byte[] names = l.nameArray();
        for (int k = 0, n = l.count(); k < n; k++) {
            int ks = l.nameStart(k);
            if (l.nameLength(k) == len && Arrays.equals(names, ks, ks + len, name, s, s + len)) {
                return k;
            }
        }
        return -1;
    }

    private static boolean startsWith(DirListing l, int i, byte[] prefix) {
        int s = l.nameStart(i);
        return l.nameLength(i) >= prefix.length
                && Arrays.equals(l.nameArray(), s, s + prefix.length, prefix, 0, prefix.length);
    }

    private static int lastDot(byte[] b, int s, int len) {
        for (int k = s + len - 1; k >= s; k--) {
            if (b[k] == '.') {
                return k;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte c) {
        for (int k = 0; k < b.length; k++) {
            if (b[k] == c) {
                return k;
            }
        }
        return -1;
    }

    private static boolean isChildOf(byte[] p, byte[] root) {
        int rl = root.length;
        boolean slash = rl > 0 && root[rl - 1] == '/';
        int start = slash ? rl : rl + 1;
        if (p.length <= start || !Arrays.equals(p, 0, rl, root, 0, rl) || (!slash && p[rl] != '/')) {
            return false;
        }
        return indexOf(Arrays.copyOfRange(p, start, p.length), (byte) '/') < 0;
    }

    static byte[] lastName(byte[] path) {
        int k = path.length;
        while (k > 0 && path[k - 1] != '/') {
            k--;
        }
        return Arrays.copyOfRange(path, k, path.length);
    }

    private static String latin1(DirListing l, int i) {
        return new String(l.nameArray(), l.nameStart(i), l.nameLength(i), StandardCharsets.ISO_8859_1);
    }

    static byte[] childPath(byte[] dir, byte[] names, int s, int len) {
        boolean sep = dir.length > 0 && dir[dir.length - 1] != '/';
        byte[] p = new byte[dir.length + (sep ? 1 : 0) + len];
        System.arraycopy(dir, 0, p, 0, dir.length);
        if (sep) {
            p[dir.length] = '/';
        }
        System.arraycopy(names, s, p, p.length - len, len);
        return p;
    }

    static byte[] join(byte[] dir, byte[] name) {
        return childPath(dir, name, 0, name.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
