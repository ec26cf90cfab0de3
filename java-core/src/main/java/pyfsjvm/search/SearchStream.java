package pyfsjvm.search;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.Stream;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * pyfs-watcher's {@code search}/{@code search_iter} as a stream: the walk (on the task's thread)
 * numbers the files it finds and queues them; worker threads search them in parallel; results go
 * out in walk order, each file's as soon as it and every file before it are done. At most
 * {@link #WINDOW} files are in flight, so memory stays bounded however slow the consumer is, and
 * closing the stream stops the walk and the workers.
 *
 * <p>Batch layout ({@link Columns} "sBqiisisiss"), one row per matching line:
 * <ol start="0">
 *   <li>path: the file's path (root as given joined with the names) on a file's first row, else empty;</li>
 *   <li>flags: {@link #FIRST} | {@link #LAST} for a file's first/last row, or {@link #ERROR};</li>
 *   <li>line number (1-based); 3, 4: match start and end (UTF-8 byte offsets in the line);</li>
 *   <li value="5">line text (raw bytes, no terminator);</li>
 *   <li>number of before-context lines; 7: those lines joined by '\n';</li>
 *   <li value="8">number of after-context lines; 9: those lines joined by '\n';</li>
 *   <li value="10">further matches on the line as ASCII "start,end,start,end" (empty if none); for an
 *       error row, "ERRNO:reason".</li>
 * </ol>
 * Lines never contain '\n' (they are split on it) nor NUL (a file with NUL is binary, skipped).
 */
public final class SearchStream extends Stream {
    public static final byte FIRST = 1;
    public static final byte LAST = 2;
    public static final byte ERROR = (byte) 255;

    static final int WINDOW = 4096;
    private static final int STREAM_ROWS = 1024;
    private static final int COLLECT_ROWS = 16384;
    private static final long MAX_BATCH_BYTES = 4L << 20;
    private static final byte[] POISON = new byte[0];

    private final WalkSpec spec;
    private final boolean singleFile;
    private final byte[] root;
    private final RustRegex re;
    private final Glob glob;
    private final long maxCount;
    private final long maxFilesize;
    private final int context;
    private final int workers;
    private final boolean streaming;

    private final ArrayBlockingQueue<Job> jobs = new ArrayBlockingQueue<>(256);
    private final ConcurrentHashMap<Long, Done> finished = new ConcurrentHashMap<>();
    private final Semaphore window = new Semaphore(WINDOW);
    private final Object emitLock = new Object();
    private final Columns out = new Columns("sBqiisisiss", 256);
    private long nextSeq;
    private long seq;
    private volatile Throwable workerFailure;

    private record Job(long seq, byte[] path) {}

    /** A searched file: its matches (null for none, binary or failed) or its failure. */
    private record Done(byte[] path, List<FileSearcher.Match> matches, FsException error) {}

    SearchStream(WalkSpec spec, boolean singleFile, RustRegex re, Glob glob, long maxCount, long maxFilesize,
                 int context, int workers, boolean streaming) {
        super(4);
        this.spec = spec;
        this.root = spec.root();
        this.singleFile = singleFile;
        this.re = re;
        this.glob = glob;
        this.maxCount = maxCount;
        this.maxFilesize = maxFilesize;
        this.context = context;
        this.workers = Math.max(1, workers);
        this.streaming = streaming;
    }

    @Override
    protected Void compute() throws Exception {
        Thread[] ts = new Thread[workers];
        for (int k = 0; k < ts.length; k++) {
            ts[k] = new Thread(this::work, "pyfs-jvm-search");
            ts[k].setDaemon(true);
            ts[k].start();
        }
        try {
            if (singleFile) {
                submit(root);
            } else if (maxCount != 0) {
                Walker.walk(spec, cancel, new Walker.Visitor() {
                    @Override
                    public void entry(Dir parent, int i) {
                        DirListing l = parent.listing();
                        if (l.type(i) != FileType.FILE) {
                            return;
                        }
                        if (glob != null && !glob.matches(l.nameArray(), l.nameStart(i), l.nameLength(i))) {
                            return;
                        }
                        if (maxFilesize >= 0 && l.hasStat() && l.size(i) > maxFilesize) {
                            return;
                        }
                        submit(parent.childPath(i));
                    }

                    @Override
                    public void error(FsException e) {
                        acquire();
                        finish(seq++, new Done(e.path(), null, e));
                    }
                });
            }
            for (Thread t : ts) {
                put(new Job(-1, POISON));
            }
            for (Thread t : ts) {
                t.join();
            }
        } catch (Cancel.CancelledException e) {
            if (workerFailure == null) {
                throw e; // closed or Ctrl-C
            }
            // a worker's bug cancelled the rest: report the bug, not an interruption (below)
        } finally {
            cancelIfUnfinished(ts);
        }
        if (workerFailure != null) {
            throw new IllegalStateException("search worker failed", workerFailure);
        }
        cancel.check();
        synchronized (emitLock) {
            drain();
            if (out.rows() > 0) {
                emit(out.pack(this::borrow));
            }
        }
        return null;
    }

    private void cancelIfUnfinished(Thread[] ts) throws InterruptedException {
        boolean alive = false;
        for (Thread t : ts) {
            alive |= t.isAlive();
        }
        if (alive) {
            cancel.cancel();
            for (Thread t : ts) {
                t.join();
            }
        }
    }

    private void acquire() {
        try {
            while (!window.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                cancel.check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel();
            cancel.check();
        }
    }

    private void submit(byte[] path) {
        acquire();
        put(new Job(seq++, path));
    }

    private void put(Job j) {
        try {
            while (!jobs.offer(j, 20, TimeUnit.MILLISECONDS)) {
                cancel.check();
                if (workerFailure != null) {
                    throw new Cancel.CancelledException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel();
            cancel.check();
        }
    }

    private void work() {
        FileSearcher fs = new FileSearcher(re, context, maxCount < 0 ? Long.MAX_VALUE : maxCount);
        try {
            while (true) {
                Job j = jobs.poll(20, TimeUnit.MILLISECONDS);
                if (cancel.isCancelled()) {
                    return;
                }
                if (j == null) {
                    continue;
                }
                if (j.path == POISON) {
                    return;
                }
                Done r;
                try {
                    List<FileSearcher.Match> ms = fs.search(j.path, cancel);
                    if (ms == FileSearcher.BINARY) {
                        Log.log(Log.DEBUG, "search", "binary file skipped", j.path);
                        ms = null;
                    }
                    r = new Done(j.path, ms, null);
                } catch (FsException e) {
                    r = new Done(j.path, null, e);
                }
                finish(j.seq, r);
            }
        } catch (Cancel.CancelledException e) {
            // unwinding after close() or Ctrl-C
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel();
        } catch (RuntimeException | Error e) {
            workerFailure = e;
            cancel.cancel();
        }
    }

    /** Records file {@code s}'s result and sends every result that is now next in order. */
    private void finish(long s, Done r) {
        finished.put(s, r);
        synchronized (emitLock) {
            drain();
            if (out.rows() > 0 && (out.rows() >= (streaming ? STREAM_ROWS : COLLECT_ROWS)
                    || out.bytes() >= MAX_BATCH_BYTES || (streaming && consumerIdle()))) {
                emit(out.pack(this::borrow));
            }
        }
    }

    private void drain() {
        Done r;
        while ((r = finished.remove(nextSeq)) != null) {
            nextSeq++;
            window.release();
            if (r.error != null) {
                addError(r.error);
            } else if (r.matches != null) {
                addFile(r.path, r.matches);
            }
            if (out.bytes() >= MAX_BATCH_BYTES || (streaming && out.rows() >= STREAM_ROWS)) {
                emit(out.pack(this::borrow));
            }
        }
    }

    private final java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();

    private void addFile(byte[] path, List<FileSearcher.Match> ms) {
        int n = ms.size();
        for (int k = 0; k < n; k++) {
            FileSearcher.Match m = ms.get(k);
            int r = out.addRow();
            if (k == 0) {
                out.putString(0, path, 0, path.length);
            } else {
                out.putString(0, path, 0, 0);
            }
            out.setByte(1, r, (byte) ((k == 0 ? FIRST : 0) | (k == n - 1 ? LAST : 0)));
            out.setLong(2, r, m.line);
            out.setInt(3, r, m.start);
            out.setInt(4, r, m.end);
            out.putString(5, m.text, 0, m.text.length);
            int nb = m.before == null ? 0 : m.before.length;
            out.setInt(6, r, nb);
            putJoined(7, nb == 0 ? null : java.util.Arrays.asList(m.before));
            int na = m.after == null ? 0 : m.after.size();
            out.setInt(8, r, na);
            putJoined(9, m.after);
            if (m.more == null) {
                out.putString(10, path, 0, 0);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int q = 0; q < m.more.length; q++) {
                    if (q > 0) {
                        sb.append(',');
                    }
                    sb.append(m.more[q]);
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                out.putString(10, b, 0, b.length);
            }
        }
    }

    private void putJoined(int col, List<byte[]> lines) {
        joined.reset();
        if (lines != null) {
            for (int q = 0; q < lines.size(); q++) {
                if (q > 0) {
                    joined.write('\n');
                }
                joined.writeBytes(lines.get(q));
            }
        }
        byte[] b = joined.toByteArray();
        out.putString(col, b, 0, b.length);
    }

    private void addError(FsException e) {
        int r = out.addRow();
        byte[] p = e.path() == null ? new byte[0] : e.path();
        out.putString(0, p, 0, p.length);
        out.setByte(1, r, ERROR);
        out.setLong(2, r, 0);
        out.setInt(3, r, 0);
        out.setInt(4, r, 0);
        out.putString(5, p, 0, 0);
        out.setInt(6, r, 0);
        out.putString(7, p, 0, 0);
        out.setInt(8, r, 0);
        out.putString(9, p, 0, 0);
        byte[] text = ((e.errno() == null ? "" : e.errno()) + ":" + e.reason()).getBytes(StandardCharsets.UTF_8);
        out.putString(10, text, 0, text.length);
    }
}
