package pyfsjvm.delta;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.FileHasher;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.platform.RawPaths;

/**
 * Block hashes of one file, computed in parallel: the heart of the similarity index on both the
 * server ({@code GET /hashes}) and the client (a local side). Blocks are cut at {@code 0, B, 2B, ...}
 * as pdiffcopy does; the last block is hashed over its real (short) length.
 */
public final class BlockHashes {
    private BlockHashes() {}

    /** More blocks than this in one file is refused (memory for the index, and abuse). */
    public static final long MAX_BLOCKS = 1L << 24;

    /** Receives one block's digest; called from worker threads, concurrently. */
    public interface Sink {
        void accept(int index, byte[] digest) throws InterruptedException;
    }

    /**
     * The algorithm for a hash method name as pdiffcopy peers send it (Python hashlib names):
     * case-insensitive, with {@code -} and {@code _} ignored, so {@code sha1}, {@code SHA-1},
     * {@code sha3_256} and {@code sha512_224} all resolve. Throws IllegalArgumentException for
     * anything else, before any work starts.
     */
    public static HashAlgorithm method(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a hash method is required (e.g. sha1 or blake3)");
        }
        String want = squash(name);
        for (String known : HashAlgorithm.names()) {
            if (squash(known).equals(want)) {
                return HashAlgorithm.of(known);
            }
        }
        throw new IllegalArgumentException("unsupported hash method: " + name + " (supported: "
                + String.join(", ", HashAlgorithm.names()) + ")");
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** How many blocks a file of {@code size} bytes has. */
    public static long blockCount(long size, int blockSize) {
        return size <= 0 ? 0 : (size - 1) / blockSize + 1;
    }

    /**
     * Hashes every block of {@code file} (of {@code size} bytes when it was looked at) with
     * {@code threads} threads, handing each digest to {@code sink} in completion order.
     * The first failure cancels the rest and is thrown.
     */
    public static void compute(Path file, long size, int blockSize, HashAlgorithm algorithm, int threads,
                               Cancel cancel, Sink sink) throws FsException, InterruptedException {
        long count = blockCount(size, blockSize);
        if (count > MAX_BLOCKS) {
            throw FsException.domain("file has too many blocks (" + count + " > " + MAX_BLOCKS
                    + "); use a larger block size", null);
        }
        int n = (int) count;
        if (n == 0) {
            return;
        }
        int workers = Math.max(1, Math.min(threads, n));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int buffer = Math.min(blockSize, 1 << 20);
        byte[] raw = RawPaths.bytes(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ); // one open, shared: positional reads
        } catch (java.io.IOException e) {
            throw FsException.from(e, raw);
        }
        Runnable loop = () -> {
            FileHasher hasher = new FileHasher(algorithm, buffer, cancel);
            try {
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < n; ) {
                    cancel.check();
                    sink.accept(i, hasher.hashRange(ch, (long) i * blockSize, blockSize, raw));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        List<Future<?>> helpers = new ArrayList<>();
        try {
            for (int w = 1; w < workers; w++) {
                helpers.add(Workers.pool().submit(loop));
            }
            loop.run();
            for (Future<?> f : helpers) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failure.compareAndSet(null, e.getCause());
                }
            }
        } finally {
            try {
                ch.close();
            } catch (java.io.IOException ignored) {
                // read-only: nothing was written that a failed close could lose
            }
        }
        Throwable t = failure.get();
        if (t instanceof FsException fe) {
            throw fe;
        }
        if (t instanceof InterruptedException ie) {
            throw ie;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error er) {
            throw er;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Lowercase hex, as Python's {@code hexdigest()} gives it (what pdiffcopy compares). */
    public static String hex(byte[] digest) {
        char[] out = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 15];
            out[2 * i + 1] = HEX[digest[i] & 15];
        }
        return new String(out);
    }

    /** The bytes of a hex digest (either case), or null if it is not hex. */
    public static byte[] unhex(CharSequence s) {
        int len = s.length();
        if (len % 2 != 0) {
            return null;
        }
        byte[] out = new byte[len / 2];
        for (int i = 0; i < len; i += 2) {
            int hi = Character.digit(s.charAt(i), 16);
            int lo = Character.digit(s.charAt(i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i / 2] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
