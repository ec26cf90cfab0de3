package pyfsjvm.walk;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Stream;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;

import java.nio.charset.StandardCharsets;

/**
 * pyfs-watcher's {@code walk}/{@code walk_collect} as a stream of batches.
 *
 * <p>Batch layout ({@link Columns} "sqiBs"): path (raw bytes: the root as given joined with the
 * names), size ({@code lstat} size, or the target's when following; 0 if the stat failed), depth,
 * kind (a {@link FileType} code, or {@link #ERROR} for an error row), and one error text
 * {@code "ERRNO:reason"} per error row only. Error rows carry the failing path in the path column.
 *
 * <p>Streaming ({@code maxBatch} below {@link #COLLECT_BATCH}): batches start small so the first
 * entries reach Python within milliseconds, then double up to {@code maxBatch} rows, and a partial
 * batch is also flushed whenever the walker has to wait for a directory while Python has nothing to
 * do. Collecting ({@code maxBatch >= COLLECT_BATCH}, walk_collect): few large batches, so the
 * bridge is crossed a handful of times while Python still decodes one batch as the next is built.
 */
public final class WalkStream extends Stream {
    public static final byte ERROR = (byte) 255;
    public static final int ANY = 0;
    public static final int FILES = 1;
    public static final int DIRS = 2;

    public static final int COLLECT_BATCH = 65536;
    private static final int FIRST_BATCH = 256;
    private static final int FIRST_COLLECT_BATCH = 8192;
    private static final long MAX_BATCH_BYTES = 8L << 20;

    private final WalkSpec spec;
    private final int fileType;
    private final Glob glob;
    private final int maxBatch;
    private final Columns out;
    private final boolean collecting;
    private int target;

    WalkStream(WalkSpec spec, int fileType, Glob glob, int maxBatch) {
        super(4);
        this.spec = spec;
        this.fileType = fileType;
        this.glob = glob;
        this.maxBatch = Math.max(FIRST_BATCH, maxBatch);
        this.collecting = maxBatch >= COLLECT_BATCH;
        this.target = collecting ? FIRST_COLLECT_BATCH : FIRST_BATCH;
        this.out = new Columns("sqiBs", target);
    }

    @Override
    protected Void compute() throws FsException {
        Walker.walk(spec, cancel, new Walker.Visitor() {
            @Override
            public void entry(Dir parent, int i) {
                add(parent, i);
            }

            @Override
            public void error(FsException e) {
                addError(e);
            }

            @Override
            public void idle() {
                if (!collecting && out.rows() > 0 && consumerIdle()) {
                    flush();
                }
            }
        });
        if (out.rows() > 0) {
            flush();
        }
        return null;
    }

    private void add(Dir parent, int i) {
        DirListing l = parent.listing();
        byte t = l.type(i);
        if (fileType == FILES ? t != FileType.FILE : fileType == DIRS && t != FileType.DIR) {
            return;
        }
        byte[] names = l.nameArray();
        int ns = l.nameStart(i);
        int nl = l.nameLength(i);
        if (glob != null && !glob.matches(names, ns, nl)) {
            return;
        }
        int r = out.addRow();
        out.putPath(0, parent.path(), names, ns, nl);
        boolean statOk = l.hasStat() && (l.errno(i) == null || l.link(i) == DirListing.BROKEN);
        out.setLong(1, r, statOk ? l.size(i) : 0);
        out.setInt(2, r, parent.depth() + 1);
        out.setByte(3, r, t);
        maybeFlush();
    }

    private void addError(FsException e) {
        int r = out.addRow();
        byte[] p = e.path() == null ? new byte[0] : e.path();
        out.putString(0, p, 0, p.length);
        out.setLong(1, r, 0);
        out.setInt(2, r, 0);
        out.setByte(3, r, ERROR);
        byte[] text = ((e.errno() == null ? "" : e.errno()) + ":" + e.reason()).getBytes(StandardCharsets.UTF_8);
        out.putString(4, text, 0, text.length);
        maybeFlush();
    }

    private void maybeFlush() {
        if (out.rows() >= target || out.bytes() >= MAX_BATCH_BYTES) {
            flush();
            target = Math.min(maxBatch, target * 2);
        }
    }

    private void flush() {
        emit(out.pack(this::borrow));
    }
}
