package pyfsjvm.pwalk;

import com.github.luben.zstd.ZstdOutputStream;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.RawPaths;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Where report rows go: a writer thread takes filled chunks from a small bounded queue, compresses
 * them (zstd, gzip or none) and writes them to a temporary file beside the output. Producers block
 * when the queue is full, so memory stays constant however large the tree. {@link #commit} ends the
 * stream (the zstd frame or gzip trailer is complete) and renames the file into place;
 * {@link #abort} deletes it, so a failed report never leaves a partial file behind.
 */
final class ReportSink {
    static final int CHUNK = 256 * 1024;
    private static final byte[] EOF = new byte[0];

    private record Chunk(byte[] data, int len) {}

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final OutputStream out;
    private final ArrayBlockingQueue<Chunk> full = new ArrayBlockingQueue<>(8);
    private final ArrayBlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(16);
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    final AtomicLong raw = new AtomicLong();
    private volatile IOException failure;
    private volatile boolean stopped;

    ReportSink(byte[] output, String compress, int level) throws FsException {
        target = RawPaths.path(output);
        Path dir = target.toAbsolutePath().getParent();
        Path t = null;
        FileChannel ch = null;
        try {
            // Not Files.createTempFile: that makes the file 0600, and the report keeps the mode
            // it is created with (0666 less the umask), like any file a program writes.
            t = dir.resolve(".pyfs-jvm-report." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
            ch = FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw FsException.from(e, output);
        }
        tmp = t;
        channel = ch;
        OutputStream file = new FilterOutputStream(java.nio.channels.Channels.newOutputStream(ch)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written.addAndGet(len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the channel stays open: commit() syncs and closes it
            }
        };
        try {
            out = switch (compress) {
                case "zstd" -> zstd(new BufferedOutputStream(file, 1 << 16), level);
                case "gzip" -> new Gzip(file, level);
                case "none" -> new BufferedOutputStream(file, 1 << 16);
                default -> throw new IllegalArgumentException("unknown compression " + compress);
            };
        } catch (IOException | RuntimeException | LinkageError e) {
            closeQuietly(ch);
            deleteQuietly(t);
            if (e instanceof LinkageError) {
                throw FsException.domain("zstd compression is not available on this platform: " + e, output);
            }
            if (e instanceof IOException io) {
                throw FsException.from(io, output);
            }
            throw (RuntimeException) e;
        }
        writer = new Thread(this::writeLoop, "pyfs-jvm-report-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * zstd at {@code level}. At level 1 (the default, pwalk's) the match table is cut from 2^13 to
     * 2^9 entries: report rows repeat the previous rows' shape, so recent positions are the matches
     * worth keeping. Measured on a 1M-row report (`zstd -1 --zstd=hlog=N`, 105 MB of CSV): about
     * 20 % less CPU and a 12 % smaller file (12.4 MB against 14.0; John Dey's format 13.7 against
     * 15.6). Other levels keep zstd's own parameters.
     */
    static ZstdOutputStream zstd(OutputStream out, int level) throws IOException {
        ZstdOutputStream z = new ZstdOutputStream(out, level);
        if (level == 1) {
            z.setHashLog(9);
        }
        return z;
    }

    /** gzip with a chosen level (GZIPOutputStream only takes the default). */
    private static final class Gzip extends GZIPOutputStream {
        Gzip(OutputStream out, int level) throws IOException {
            super(out, 1 << 16);
            def.setLevel(level < 0 ? Deflater.DEFAULT_COMPRESSION : Math.min(level, 9));
        }
    }

    /** Compressed bytes written so far. */
    long written() {
        return written.get();
    }

    /** A buffer to fill next (a returned one when there is one). */
    byte[] buffer() {
        byte[] b = spare.poll();
        return b != null ? b : new byte[CHUNK + 64 * 1024];
    }

    /** Hands {@code data[0, len)} to the writer; blocks while the queue is full. */
    void put(byte[] data, int len) throws IOException {
        if (len == 0) {
            return;
        }
        raw.addAndGet(len);
        Chunk c = new Chunk(data, len);
        try {
            while (!full.offer(c, 20, TimeUnit.MILLISECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        check();
    }

    private void check() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (stopped) {
            throw new IOException("report output closed");
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Chunk c = full.poll(20, TimeUnit.MILLISECONDS);
                if (c == null) {
                    if (stopped) {
                        return;
                    }
                    continue;
                }
                if (c.data == EOF) {
                    out.close(); // ends the zstd frame / writes the gzip trailer
                    return;
                }
                out.write(c.data, 0, c.len);
                if (c.data.length <= CHUNK + 64 * 1024) {
                    spare.offer(c.data);
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            full.clear();
        }
    }

    /** Ends the stream, syncs it and renames it over the output; returns the compressed size. */
    long commit() throws IOException {
        try {
            while (!full.offer(new Chunk(EOF, 0), 20, TimeUnit.MILLISECONDS)) {
                check();
            }
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IOException("interrupted");
        }
        if (failure != null) {
            abort();
            throw failure;
        }
        try {
            // No fsync: a report is regenerable, and syncing a multi-gigabyte file would cost more
            // than the scan on some file systems. The rename still never exposes a partial file.
            channel.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            abort();
            throw e;
        }
        return written.get();
    }

    /** Stops the writer and deletes the temporary file; the output is left as it was. */
    void abort() {
        stopped = true;
        full.clear();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(out);
        closeQuietly(channel);
        deleteQuietly(tmp);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // already failing; the first error is the one reported
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
