package pyfsjvm.pwalk;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * pwalk's report: one CSV row per entry and per directory, written by the worker that read the
 * directory (the shared walker's unordered mode), chunk by chunk into a {@link ReportSink}.
 *
 * <p>Formats (docs/pwalk.md): {@link #PWALK} is python-pwalk 0.1.6's (basename, {@code %o} mode,
 * files at their directory's depth, non-directory sizes summed, snapshots and failed stats left
 * out); {@link #DEY} is John Dey's original pwalk (full path, {@code %07o}, files one deeper,
 * every entry counted and summed, names with control characters refused as "Bad File").
 *
 * <p>The result is the error list as a packed batch ({@link Columns} "ss": path, "ERRNO:reason").
 */
public final class ReportTask extends Task<byte[]> {
    public static final int PWALK = 0;
    public static final int DEY = 1;
    /** pwalk's columns with names made valid UTF-8 ({@code \xNN}), the input DuckDB needs for Parquet. */
    public static final int PWALK_UTF8 = 2;

    static final byte[] HEADER = ("inode,parent-inode,directory-depth,\"filename\",\"fileExtension\",UID,GID,"
            + "st_size,st_dev,st_blocks,st_nlink,\"st_mode\",st_atime,st_mtime,st_ctime,pw_fcount,pw_dirsum\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT = ".snapshot".getBytes(StandardCharsets.US_ASCII);

    /** A directory's own lstat (taken with its parent's listing) and its parent's inode. */
    private record DirInfo(Stat st, long parentIno) {}

    private final byte[] root;
    private final byte[] output;
    private final String compress;
    private final int level;
    private final boolean dey;
    private final boolean utf8;
    private final boolean header;
    private final boolean skipSnapshots;
    private final int threads;
    // Counted per directory by every worker: adders, so the workers do not share one cache line.
    /** One per worker thread; each counts its own rows and directories (see {@link RowBuffer#rows}). */
    private final List<RowBuffer> buffers = Collections.synchronizedList(new ArrayList<>());
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile ReportSink sink;
    private volatile long finalSize = -1;

    ReportTask(byte[] root, byte[] output, String compress, int level, int format, boolean header,
               boolean skipSnapshots, int threads) {
        this.root = root.clone();
        this.output = output.clone();
        this.compress = compress;
        this.level = level;
        this.dey = format == DEY;
        this.utf8 = format == PWALK_UTF8;
        this.header = header;
        this.skipSnapshots = skipSnapshots;
        this.threads = Math.max(1, threads);
    }

    /** rows written, directories listed, CSV bytes, compressed bytes written, errors so far. */
    public long[] progress() {
        ReportSink s = sink;
        long rows = 0;
        long dirs = 0;
        synchronized (buffers) {
            for (RowBuffer b : buffers) {
                rows += b.rows;
                dirs += b.dirs;
            }
        }
        return new long[] {rows, dirs, s == null ? 0 : s.raw.get(),
                finalSize >= 0 ? finalSize : s == null ? 0 : s.written(), errors.size()};
    }

    @Override
    protected byte[] compute() throws Exception {
        Platform platform = Platform.get();
        Stat rs = new Stat();
        platform.stat(root, false, rs); // the root row uses the root's own lstat, as pwalk does
        DirInfo rootInfo = new DirInfo(rs, 0);
        ReportSink s = new ReportSink(output, compress, level);
        sink = s;
        ThreadLocal<RowBuffer> local = ThreadLocal.withInitial(() -> {
            RowBuffer b = new RowBuffer(0);
            b.buf = s.buffer();
            buffers.add(b);
            return b;
        });
        try {
            if (header) {
                s.put(HEADER.clone(), HEADER.length);
            }
            WalkSpec spec = new WalkSpec(root).stat(true).threads(threads).tagger((parent, i) -> {
                Stat st = new Stat();
                parent.listing().stat(i, st);
                DirInfo p = parent.depth() == 0 ? rootInfo : (DirInfo) parent.tag();
                return new DirInfo(st, p.st.ino);
            });
            if (skipSnapshots) {
                spec.prune((parent, i) -> parent.listing().nameIs(i, SNAPSHOT));
            }
            Walker.walkUnordered(spec, cancel, new Walker.DirVisitor() {
                @Override
                public void directory(Dir d) {
                    RowBuffer b = local.get();
                    writeDirectory(d, d.depth() == 0 ? rootInfo : (DirInfo) d.tag(), b);
                }

                @Override
                public void error(FsException e) {
                    errors.add(e);
                }
            });
            cancel.check();
            synchronized (buffers) {
                for (RowBuffer b : buffers) {
                    s.put(b.buf, b.len);
                }
            }
            finalSize = s.commit();
        } catch (UncheckedIOException e) {
            s.abort();
            throw FsException.from(e.getCause(), output);
        } catch (IOException e) {
            s.abort();
            throw FsException.from(e, output);
        } catch (Throwable t) {
            s.abort();
            throw t;
        } finally {
            local.remove();
        }
        return packErrors();
    }

    private void writeDirectory(Dir d, DirInfo self, RowBuffer b) {
        DirListing l = d.listing();
        int n = l.count();
        int dirDepth = d.depth() - 1;       // the root prints -1, its subdirectories 0
        int fileDepth = dey ? d.depth() : dirDepth;
        long fcount = 0;
        long dirsum = 0;
        long written = 0;
        for (int i = 0; i < n; i++) {
            boolean statOk = l.errno(i) == null;
            boolean isDir = l.type(i) == FileType.DIR;
            boolean snap = l.nameIs(i, SNAPSHOT);
            if (dey) {
                fcount++;                    // every readdir entry
                if (!statOk || (skipSnapshots && snap && isDir)) {
                    if (statOk) {
                        dirsum += l.size(i);
                    }
                    continue;
                }
                dirsum += l.size(i);         // directories too
            } else {
                if ((skipSnapshots && snap) || !statOk) {
                    continue;
                }
                fcount++;
                if (!isDir) {
                    dirsum += l.size(i);
                }
            }
            if (isDir) {
                continue;                    // its own visit writes its row (none if unreadable)
            }
            byte[] names = l.nameArray();
            int ns = l.nameStart(i);
            int nl = l.nameLength(i);
            if (dey && hasControl(names, ns, nl)) {
                errors.add(FsException.domain("Bad File", d.childPath(i)));
                continue;
            }
            b.ensure(512);
            b.unum(l.ino(i));
            b.put((byte) ',');
            b.cached(RowBuffer.PARENT, self.st.ino);
            b.put((byte) ',');
            b.num(fileDepth);
            b.put((byte) ',');
            if (dey) {
                byte[] p = d.childPath(i);
                b.quoted(p, 0, p.length);
            } else if (utf8) {
                b.quotedUtf8(names, ns, nl);
            } else {
                b.quoted(names, ns, nl);
            }
            b.ensure(512);
            b.put((byte) ',');
            extension(b, names, ns, nl);
            b.ensure(512);
            Stat st = b.entry;
            l.stat(i, st);
            stats(b, st, -1, 0);
            written++;
            handOff(b);
        }
        byte[] path = d.path();
        int slash = path.length - 1;
        while (slash >= 0 && path[slash] != '/') {
            slash--;
        }
        int bs = slash + 1;
        int bl = path.length - bs;
        if (dey && hasControl(path, 0, path.length)) {
            errors.add(FsException.domain("Bad File", path));
        } else {
            b.ensure(512);
            b.unum(self.st.ino);
            b.put((byte) ',');
            b.unum(self.parentIno);
            b.put((byte) ',');
            b.num(dirDepth);
            b.put((byte) ',');
            if (dey) {
                b.quoted(path, 0, path.length);
            } else if (utf8) {
                b.quotedUtf8(path, bs, bl);
            } else {
                b.quoted(path, bs, bl);
            }
            b.ensure(512);
            b.put((byte) ',');
            extension(b, path, bs, bl);
            b.ensure(512);
            stats(b, self.st, fcount, dirsum);
            written++;
            handOff(b);
        }
        b.rows += written; // only this thread writes them
        b.dirs++;
    }

    /**
     * Passes a full chunk to the sink, row by row rather than directory by directory: a directory
     * of thousands of entries would otherwise grow (copy) the buffer past its chunk size.
     */
    private void handOff(RowBuffer b) {
        if (b.len < ReportSink.CHUNK) {
            return;
        }
        ReportSink s = sink;
        try {
            s.put(b.buf, b.len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        b.buf = s.buffer();
        b.len = 0;
    }

    /** Fields 6 to 17: UID ... pw_dirsum, then the newline. */
    private void stats(RowBuffer b, Stat st, long fcount, long dirsum) {
        b.put((byte) ',');
        b.cached(RowBuffer.UID, Integer.toUnsignedLong(st.uid));
        b.put((byte) ',');
        b.cached(RowBuffer.GID, Integer.toUnsignedLong(st.gid));
        b.put((byte) ',');
        b.num(st.size);
        b.put((byte) ',');
        b.cached(RowBuffer.DEV, st.dev);
        b.put((byte) ',');
        b.num(st.blocks);
        b.put((byte) ',');
        b.unum(st.nlink);
        b.put((byte) ',');
        b.put((byte) '"');
        b.octal(Integer.toUnsignedLong(st.mode), dey ? 7 : 0);
        b.put((byte) '"');
        b.put((byte) ',');
        time(b, st.atimeSec);
        b.put((byte) ',');
        time(b, st.mtimeSec);
        b.put((byte) ',');
        time(b, st.ctimeSec);
        b.put((byte) ',');
        b.num(fcount);
        b.put((byte) ',');
        b.num(dirsum);
        b.put((byte) '\n');
    }

    /** A signed seconds field: the memo takes the usual non-negative ones. */
    private static void time(RowBuffer b, long sec) {
        if (sec >= 0) {
            b.cached(RowBuffer.TIME, sec);
        } else {
            b.num(sec);
        }
    }

    /** The text after the last '.', unless that dot starts the name (pwalk's rule), quoted. */
    private void extension(RowBuffer b, byte[] name, int off, int len) {
        int dot = -1;
        for (int k = off + len - 1; k > off; k--) {
            if (name[k] == '.') {
                dot = k;
                break;
            }
        }
        if (dot < 0) {
            b.quoted(name, 0, 0);
        } else if (utf8) {
            b.quotedUtf8(name, dot + 1, off + len - dot - 1);
        } else {
            b.quoted(name, dot + 1, off + len - dot - 1);
        }
    }

    private static boolean hasControl(byte[] b, int off, int len) {
        for (int k = off, end = off + len; k < end; k++) {
            if ((b[k] & 0xff) < 0x20) {
                return true;
            }
        }
        return false;
    }

    private byte[] packErrors() {
        Columns c = new Columns("ss", Math.max(16, errors.size()));
        synchronized (errors) {
            for (FsException e : errors) {
                c.addRow();
                byte[] p = e.path() == null ? new byte[0] : e.path();
                c.putString(0, p, 0, p.length);
                byte[] t = ((e.errno() == null ? "" : e.errno()) + ":" + e.reason()).getBytes(StandardCharsets.UTF_8);
                c.putString(1, t, 0, t.length);
            }
        }
        return c.pack();
    }
}
