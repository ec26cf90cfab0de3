package pyfsjvm.delta;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.HashAlgorithm;

/**
 * One synchronisation from a source to a target, the client half of pdiffcopy (spec section 4),
 * run as a bridge Task so Python waits with the GIL released and Ctrl-C cancels it.
 *
 * <ol>
 *   <li>Sizes of both sides ({@code GET /info} or a stat). A missing source fails at once.
 *   <li>Delta mode with an existing target: both sides' block hashes at the same time, each in
 *       parallel (local: {@code concurrency} threads; remote: the server's {@code /hashes}).
 *       Blocks whose digests differ, or that exist on one side only, are the changes.
 *   <li>Unless dry-run: resize the target to the source's size (this also truncates a longer
 *       target), then copy the changed blocks with {@code concurrency} threads, and commit.
 * </ol>
 *
 * Beyond pdiffcopy: empty files work (no division by zero; an empty source still creates the
 * target), offsets past the source's end are not "sent" as empty writes (the resize covers them),
 * a local target is replaced atomically unless in-place is asked for, and every failure names the
 * side and the request.
 */
public final class DeltaSync extends Task<DeltaSync.Result> {
    public static final int PHASE_INFO = 0;
    public static final int PHASE_HASH = 1;
    public static final int PHASE_TRANSFER = 2;
    public static final int PHASE_COMMIT = 3;

    private final Endpoint source;
    private final Endpoint target;
    private final int blockSize;
    private final String method;
    private final boolean delta;
    private final int concurrency;
    private final boolean dryRun;
    private final boolean inplace;

    private volatile int phase = PHASE_INFO;
    private final AtomicLong hashed = new AtomicLong();
    private volatile long hashTotal;
    private final AtomicLong copiedBlocks = new AtomicLong();
    private final AtomicLong copiedBytes = new AtomicLong();
    // written by whichever thread settles a block (under the Copier's lock), read for progress
    private volatile long copyTotalBlocks;
    private volatile long copyTotalBytes;

    /** What happened; {@code changed} counts blocks as pdiffcopy's return value does. */
    public record Result(long changed, long hits, long misses, boolean deltaUsed, boolean targetExisted,
                         long sourceSize, long targetSize, long blocksCopied, long bytesCopied,
                         long hashNanos, long transferNanos, boolean dryRun) {
        /** pdiffcopy's similarity index; 100 when both files are empty. */
        public double similarity() {
            long all = hits + misses;
            return all == 0 ? 100.0 : hits * 100.0 / all;
        }
    }

    private DeltaSync(Endpoint source, Endpoint target, int blockSize, String method, boolean delta,
                      int concurrency, boolean dryRun, boolean inplace) {
        this.source = source;
        this.target = target;
        this.blockSize = blockSize;
        this.method = method;
        this.delta = delta;
        this.concurrency = concurrency;
        this.dryRun = dryRun;
        this.inplace = inplace;
    }

    /**
     * An HTTP client for a run's remote sides: kept-alive HTTP/1.1 connections, a connect timeout
     * and a read timeout (no answer within it fails the request).
     */
    public static Http1 httpClient(double connectTimeoutSeconds, double readTimeoutSeconds) {
        return new Http1((int) Math.max(1, connectTimeoutSeconds * 1000), (int) Math.max(1, readTimeoutSeconds * 1000));
    }

    public static Endpoint local(byte[] path) throws FsException {
        return new LocalFile(path);
    }

    public static Endpoint remote(Http1 http, String host, int port, byte[] filename, String token) {
        return new RemoteFile(http, host, port, filename, token);
    }

    /** Checks the arguments (a bad hash method fails here, before any request) and starts. */
    public static DeltaSync start(Endpoint source, Endpoint target, int blockSize, String method, boolean delta,
                                  int concurrency, boolean dryRun, boolean inplace) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (delta && (!source.isRemote() || !target.isRemote())) {
            BlockHashes.method(method); // a local side must be able to hash with it
        }
        DeltaSync s = new DeltaSync(source, target, blockSize, method, delta, concurrency, dryRun, inplace);
        s.start();
        return s;
    }

    // Progress, read by Python between wait slices.
    public int phase() {
        return phase;
    }

    public long hashedBlocks() {
        return hashed.get();
    }

    public long hashTotal() {
        return hashTotal;
    }

    public long copiedBlocks() {
        return copiedBlocks.get();
    }

    public long copiedBytes() {
        return copiedBytes.get();
    }

    public long copyTotalBlocks() {
        return copyTotalBlocks;
    }

    public long copyTotalBytes() {
        return copyTotalBytes;
    }

    // Threads working for this run. Cancelling interrupts them, so that one blocked on a slow
    // server (an HTTP exchange, a hash stream) stops within a wait slice instead of at its timeout.
    private final Set<Thread> working = new HashSet<>();
    private final List<Future<?>> futures = Collections.synchronizedList(new ArrayList<>());

    private volatile boolean cancelledByCaller;
    private volatile boolean unchanged;

    @Override
    public void cancel() {
        cancelledByCaller = true;
        super.cancel();
        for (Endpoint e : new Endpoint[] {source, target}) {
            if (e instanceof RemoteFile rf) {
                rf.http().closeAll(); // unblocks a thread reading from a stalled server
            }
        }
        synchronized (working) {
            for (Thread t : working) {
                t.interrupt();
            }
        }
    }

    private void enlist() {
        synchronized (working) {
            working.add(Thread.currentThread());
        }
        if (cancel.isCancelled()) {
            leave();
            throw new Cancel.CancelledException();
        }
    }

    private void leave() {
        synchronized (working) {
            working.remove(Thread.currentThread());
        }
        Thread.interrupted(); // never hand a pooled thread on with our interrupt pending
    }

    private <T> Future<T> submit(Callable<T> work) {
        Future<T> f = Workers.pool().submit(() -> {
            enlist();
            try {
                return work.call();
            } finally {
                leave();
            }
        });
        futures.add(f);
        return f;
    }

    @Override
    protected Result compute() throws Exception {
        enlist();
        try {
            Result r = run();
            if (unchanged) {
                target.abort(); // identical already: keep the original, drop the staged copy unsynced
            } else if (!dryRun) {
                phase = PHASE_COMMIT;
                target.commit();
            }
            return r;
        } catch (Throwable t) {
            cancel.cancel(); // stop the helpers, then wait for them before removing anything
            List<Future<?>> all;
            synchronized (futures) {
                all = new ArrayList<>(futures);
            }
            for (Future<?> f : all) {
                waitQuietly(f);
            }
            target.abort();
            if (cancelledByCaller) {
                throw new Cancel.CancelledException(); // whatever the interrupt broke on the way
            }
            throw t;
        } finally {
            if (source instanceof LocalFile lf) {
                lf.closeQuietly();
            }
            for (Endpoint e : new Endpoint[] {source, target}) {
                if (e instanceof RemoteFile rf) {
                    rf.http().closeAll(); // the run is over: no kept-alive sockets left behind
                }
            }
            leave();
        }
    }

    private Result run() throws Exception {
        long srcSize = source.size();
        if (srcSize < 0) {
            throw new FsException("ENOENT", null, "source file does not exist (" + source.label() + ")");
        }
        long tgtSize = target.size();
        boolean existed = tgtSize >= 0;
        boolean useDelta = delta && existed;
        long srcBlocks = BlockHashes.blockCount(srcSize, blockSize);
        if (srcBlocks > BlockHashes.MAX_BLOCKS) {
            throw new IllegalArgumentException("the source has too many blocks (" + srcBlocks
                    + "); use a larger block size");
        }
        if (!dryRun && !useDelta && target instanceof LocalFile lf && !inplace) {
            lf.stage(false); // a whole-file copy needs none of the original bytes
        }
        return compare(srcSize, tgtSize, existed, useDelta, srcBlocks);
    }

    private Result compare(long srcSize, long tgtSize, boolean existed, boolean useDelta, long srcBlocks)
            throws Exception {
        long t0 = System.nanoTime();
        Copier copier = new Copier(srcSize);
        long hits = 0;
        long misses = 0;
        long changed;
        if (useDelta) {
            phase = PHASE_HASH;
            long tgtBlocks = BlockHashes.blockCount(tgtSize, blockSize);
            if (tgtBlocks > BlockHashes.MAX_BLOCKS) {
                throw new IllegalArgumentException("the target has too many blocks; use a larger block size");
            }
            hashTotal = srcBlocks + tgtBlocks;
            BlockMatch match = new BlockMatch((int) srcBlocks, (int) tgtBlocks, copier::add);
            // A changed block is copied as soon as both its digests are in, overlapping the copy
            // with the hashing of the rest, when writing it now cannot hurt: the target is written
            // in place anyway (in-place mode, or a server's file) and needs no resize first.
            if (!dryRun && tgtSize == srcSize && (inplace || !(target instanceof LocalFile))) {
                copier.start();
            }
            HashAlgorithm alg = source.isRemote() && target.isRemote() ? null : BlockHashes.method(method);
            Future<?> other = submit(() -> {
                target.hashes(blockSize, method, alg, concurrency, cancel, (i, d) -> {
                    match.target(i, d);
                    hashed.incrementAndGet();
                });
                return null;
            });
            try {
                source.hashes(blockSize, method, alg, concurrency, cancel, (i, d) -> {
                    match.source(i, d);
                    hashed.incrementAndGet();
                });
                other.get();
            } catch (Exception e) {
                Throwable copyFailed = copier.failure(); // a failed copy is what stopped the hashing
                cancel.cancel();
                waitQuietly(other);
                throw copyFailed != null ? rethrow(copyFailed)
                        : e instanceof ExecutionException ee ? rethrow(ee.getCause()) : e;
            }
            match.finish();
            hits = match.hits();
            misses = match.misses();
            changed = misses;
        } else {
            for (long i = 0; i < srcBlocks; i++) {
                copier.add(i);
            }
            changed = srcBlocks;
        }
        long t1 = System.nanoTime();
        unchanged = existed && copier.queued() == 0 && tgtSize == srcSize;
        if (!dryRun && useDelta && !unchanged && target instanceof LocalFile lf && !inplace) {
            // Only now, when something will change: the temporary file starts as a copy of the
            // original (an unchanged target is never copied, fsynced or renamed).
            lf.stage(true);
        }
        long copyStart = t1;
        if (!dryRun) {
            phase = PHASE_TRANSFER;
            if (!existed || tgtSize != srcSize || !inplace && target instanceof LocalFile) {
                target.resize(srcSize); // creates a missing target (even an empty one), truncates a longer one
            }
            if (copier.queued() > 0) {
                copier.start();
            }
            copyStart = Math.min(t1, copier.finish());
        }
        long t2 = System.nanoTime();
        return new Result(changed, hits, misses, useDelta, existed, srcSize, tgtSize,
                dryRun ? 0 : copiedBlocks.get(), dryRun ? 0 : copiedBytes.get(), t1 - t0, t2 - copyStart, dryRun);
    }

    /**
     * Copies the blocks handed to {@link #add} from source to target with {@code concurrency}
     * threads, which may start before the last block is known (see {@link #compare}).
     */
    private final class Copier {
        private static final long END = -1;
        private final long srcSize;
        private final LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
        private final List<Future<?>> workers = new ArrayList<>();
        private volatile long firstQueued = Long.MAX_VALUE;
        private volatile Throwable failure;

        Copier(long srcSize) {
            this.srcSize = srcSize;
        }

        synchronized void add(long block) {
            if (copyTotalBlocks == 0) {
                firstQueued = System.nanoTime();
            }
            copyTotalBlocks++;
            copyTotalBytes += Math.min(blockSize, srcSize - block * blockSize);
            queue.add(block);
        }

        long queued() {
            return copyTotalBlocks;
        }

        Throwable failure() {
            return failure;
        }

        /** Starts the copying threads (once). */
        void start() {
            if (!workers.isEmpty()) {
                return;
            }
            for (int w = 0; w < concurrency; w++) {
                workers.add(submit(this::work));
            }
        }

        /**
         * Tells the threads no more blocks are coming, waits for them and rethrows the first
         * failure; returns when the first block was queued.
         */
        long finish() throws Exception {
            for (int w = 0; w < workers.size(); w++) {
                queue.add(END);
            }
            Throwable first = null;
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                        cancel.cancel(); // stop the other workers promptly
                    }
                }
            }
            if (failure != null) {
                throw rethrow(failure); // the copy that failed, not a worker it cancelled
            }
            if (first != null) {
                throw rethrow(first);
            }
            return firstQueued;
        }

        private Void work() throws Exception {
            try {
                byte[] buf = new byte[blockSize];
                while (true) {
                    Long next = queue.poll(100, TimeUnit.MILLISECONDS); // a timeout, to see a cancel
                    cancel.check();
                    if (next == null) {
                        continue;
                    }
                    if (next == END) {
                        return null;
                    }
                    copy(next * blockSize, buf);
                }
            } catch (Cancel.CancelledException e) {
                throw e;
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
                cancel.cancel(); // a failed copy stops the hashing still going on
                throw t;
            }
        }

        private void copy(long offset, byte[] buf) throws IOException {
            int want = (int) Math.min(blockSize, srcSize - offset);
            byte[] b = want == blockSize ? buf : new byte[want];
            int n = source.read(offset, b);
            if (n != want) {
                throw FsException.domain("the source changed size during the transfer (short read at "
                        + offset + ")", null);
            }
            target.write(offset, b, n);
            copiedBlocks.incrementAndGet();
            copiedBytes.addAndGet(n);
        }
    }

    /** Waits for {@code f} to finish, even through interrupts (which are what stops it). */
    private static void waitQuietly(Future<?> f) {
        while (true) {
            try {
                f.get();
                return;
            } catch (InterruptedException e) {
                // keep waiting: the helper is unwinding
            } catch (ExecutionException | java.util.concurrent.CancellationException ignored) {
                return; // the first failure is the one reported
            }
        }
    }

    private static Exception rethrow(Throwable t) throws IOException {
        if (t instanceof Exception e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
