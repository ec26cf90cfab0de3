package pyfsjvm.pwalk;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Stream;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code os.walk} as a stream: one record per directory, whole, in the order os.walk visits
 * directories top-down (depth-first pre-order of directories, siblings in {@code readdir} order).
 * The shared {@link Walker} reads directories ahead on worker threads; Python
 * ({@code pyfs_jvm/pwalk.py}) turns records into {@code (dirpath, dirnames, filenames)} triples,
 * reorders them for bottom-up walks, and skips the subtrees a caller prunes from {@code dirnames}
 * (it also calls {@link #prune} so that the walker stops reading them).
 *
 * <p>Batch layout ({@link Columns} "siiiBs"), one row per directory header, entry or error:
 * <ul>
 * <li>header (kind {@link #HEAD}): path (raw bytes, the root as given joined with names),
 *     number of directory entries, number of other entries, depth (root 0). The entries follow:
 *     first the ones os.walk calls directories, then the others, each group in readdir order.</li>
 * <li>entry (kind = flags {@link #DIR}, {@link #LINK}, {@link #DESCENDED}, {@link #LOOP}): name.</li>
 * <li>error (kind {@link #ERROR}): the directory that could not be read, 0, 0, its depth, and one
 *     {@code "ERRNO:reason"} text in the last column (which only error rows fill).</li>
 * </ul>
 */
public final class TreeStream extends Stream {
    public static final byte DIR = 1;        // os.walk puts it in dirnames (DirEntry.is_dir())
    public static final byte LINK = 2;       // lstat says symlink (os.path.islink)
    public static final byte DESCENDED = 4;  // the walker reads it: its record follows in order
    public static final byte LOOP = 8;       // followed symlink back to an ancestor: not descended
    public static final byte HEAD = (byte) 128;
    public static final byte ERROR = (byte) 255;

    private static final int FIRST_BATCH = 512;
    private static final long MAX_BATCH_BYTES = 8L << 20;
    private static final byte[] SNAPSHOT = ".snapshot".getBytes(StandardCharsets.US_ASCII);

    private final WalkSpec spec;
    private final boolean follow;
    private final Platform platform;
    private final int maxBatch;
    private final Columns out = new Columns("siiiBs", FIRST_BATCH);
    private final Set<ByteBuffer> pruned = ConcurrentHashMap.newKeySet();
    private final Stat st = new Stat();
    private int target = FIRST_BATCH;
    private byte[] flags = new byte[64];

    TreeStream(byte[] root, boolean follow, boolean skipSnapshots, int threads, int maxBatch) {
        super(4);
        this.follow = follow;
        this.maxBatch = Math.max(FIRST_BATCH, maxBatch);
        this.spec = new WalkSpec(root).follow(follow).stat(follow).threads(threads);
        if (skipSnapshots) {
            spec.prune((parent, i) -> parent.listing().nameIs(i, SNAPSHOT));
        }
        this.platform = Platform.get();
    }

    /** Python dropped {@code path} from a dirnames list: do not walk it (if not walked already). */
    public void prune(byte[] path) {
        pruned.add(ByteBuffer.wrap(path.clone()));
    }

    @Override
    protected Void compute() {
        try {
            Walker.walk(spec, cancel, new Walker.Visitor() {
                @Override
                public void entry(Dir parent, int i) {}

                @Override
                public void enter(Dir d) {
                    directory(d);
                }

                @Override
                public boolean descend(Dir child) {
                    return pruned.isEmpty() || !pruned.remove(ByteBuffer.wrap(child.path()));
                }

                @Override
                public void unreadable(Dir d) {
                    addError(d.path(), d.depth(), d.error());
                }

                @Override
                public void idle() {
                    if (out.rows() > 0 && consumerIdle()) {
                        flush();
                    }
                }
            });
        } catch (FsException e) {
            addError(spec.root(), 0, e); // the root itself: os.walk hands this to onerror too
        }
        if (out.rows() > 0) {
            flush();
        }
        return null;
    }

    private void directory(Dir d) {
        DirListing l = d.listing();
        int n = l.count();
        if (flags.length < n) {
            flags = new byte[Math.max(n, flags.length * 2)];
        }
        int dirs = 0;
        for (int i = 0; i < n; i++) {
            byte f = classify(d, l, i);
            flags[i] = f;
            if ((f & DIR) != 0) {
                dirs++;
            }
        }
        int r = out.addRow();
        byte[] p = d.path();
        out.putString(0, p, 0, p.length);
        out.setInt(1, r, dirs);
        out.setInt(2, r, n - dirs);
        out.setInt(3, r, d.depth());
        out.setByte(4, r, HEAD);
        byte[] names = l.nameArray();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                if (((flags[i] & DIR) != 0) == (pass == 0)) {
                    int e = out.addRow();
                    out.putString(0, names, l.nameStart(i), l.nameLength(i));
                    out.setInt(1, e, 0);
                    out.setInt(2, e, 0);
                    out.setInt(3, e, 0);
                    out.setByte(4, e, flags[i]);
                }
            }
        }
        if (out.rows() >= target || out.bytes() >= MAX_BATCH_BYTES) {
            flush();
            target = Math.min(maxBatch, target * 2);
        }
    }

    /** What os.walk would make of entry {@code i}: DirEntry.is_dir() follows symlinks. */
    private byte classify(Dir d, DirListing l, int i) {
        byte t = l.type(i);
        byte f = 0;
        if (follow) {
            byte link = l.link(i);
            if (link != DirListing.NOT_LINK || t == FileType.SYMLINK) {
                f |= LINK;
            }
            if (t == FileType.DIR) {
                f |= DIR;
                if ("ELOOP".equals(l.errno(i)) && link == DirListing.FOLLOWED) {
                    f |= LOOP;
                }
            }
        } else if (t == FileType.DIR) {
            f |= DIR;
        } else if (t == FileType.SYMLINK) {
            f |= LINK;
            try {
                platform.stat(d.childPath(i), true, st);
                if (st.isDir()) {
                    f |= DIR;
                }
            } catch (FsException e) {
                // a broken link, or one we may not follow: is_dir() is False
            }
        }
        if (d.descends(i)) {
            f |= DESCENDED;
        }
        return f;
    }

    private void addError(byte[] path, int depth, FsException e) {
        int r = out.addRow();
        out.putString(0, path, 0, path.length);
        out.setInt(1, r, 0);
        out.setInt(2, r, 0);
        out.setInt(3, r, depth);
        out.setByte(4, r, ERROR);
        byte[] text = ((e.errno() == null ? "" : e.errno()) + ":" + e.reason()).getBytes(StandardCharsets.UTF_8);
        out.putString(5, text, 0, text.length);
    }

    private void flush() {
        emit(out.pack(this::borrow));
    }
}
