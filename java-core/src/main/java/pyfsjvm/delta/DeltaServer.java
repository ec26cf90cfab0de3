package pyfsjvm.delta;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.Task;
import pyfsjvm.bridge.Workers;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.platform.RawPaths;

/**
 * A pdiffcopy-compatible server (protocol: shared/specs/pdiffcopy.md section 3), secure by default:
 * it serves only files under one export root, listens where it is told (loopback unless the caller
 * says otherwise), can require a bearer token, bounds every request, and answers malformed requests
 * with a 4xx instead of wedging.
 *
 * <p>Built on the JDK's own {@code com.sun.net.httpserver}: no dependency to ship or patch, HTTP/1.1
 * keep-alive and chunked streaming, and a request executor we size ourselves. Handlers run on a
 * fixed pool of {@code threads}; block hashing for {@code /hashes} runs on the shared worker pool,
 * at most {@code maxConcurrency} threads per request.
 */
public final class DeltaServer {
    static {
        // Requests that take longer than this to arrive (slowloris) are dropped. Read once, JVM-wide,
        // by the JDK's server when it first loads; only set it if nobody else has.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "120");
        }
    }

    private static final String LOG = "delta.server";
    static final String HEADER_SERVER = "X-Pyfs-Jvm-Delta";

    private final ExportRoot root;
    private final byte[] token;
    private final boolean readOnly;
    private final int maxBlockSize;
    private final int maxConcurrency;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final ServeTask task = new ServeTask();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param root export root (raw bytes); must be an existing directory
     * @param host address to bind ("127.0.0.1", "::1", "0.0.0.0", "" = all)
     * @param port 0 picks a free port
     * @param token bearer token required on every request, or null for none
     * @param allowTokenless permit a non-loopback bind without a token (the real pdiffcopy client
     *     cannot send one); without it, such a configuration is refused
     * @param threads request handler threads
     */
    public static DeltaServer create(byte[] root, String host, int port, String token, boolean allowTokenless,
                                     boolean readOnly, int threads, int maxBlockSize, int maxConcurrency)
            throws IOException {
        return new DeltaServer(root, host, port, token, allowTokenless, readOnly, threads, maxBlockSize,
                maxConcurrency);
    }

    private DeltaServer(byte[] rootBytes, String host, int port, String token, boolean allowTokenless,
                        boolean readOnly, int threads, int maxBlockSize, int maxConcurrency) throws IOException {
        if (threads < 1 || maxBlockSize < 1 || maxConcurrency < 1) {
            throw new IllegalArgumentException("threads, max block size and max concurrency must be positive");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.root = new ExportRoot(rootBytes);
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.readOnly = readOnly;
        this.maxBlockSize = maxBlockSize;
        this.maxConcurrency = maxConcurrency;
        InetSocketAddress addr = host == null || host.isEmpty()
                ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(host), port);
        if (!addr.getAddress().isLoopbackAddress() && this.token == null && !allowTokenless) {
            throw new IllegalArgumentException("refusing to listen on " + addr.getAddress().getHostAddress()
                    + " (beyond loopback) without a token; set a token, or allow token-less access explicitly");
        }
        this.http = HttpServer.create(addr, 128);
        this.handlers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Workers.daemonThreads("pyfs-delta-http"));
        http.setExecutor(handlers);
        http.createContext("/", this::handle);
    }

    /** Starts serving; returns the task that ends when the server is closed (cancel = close). */
    public Task<Void> start() {
        http.start();
        Log.log(Log.INFO, LOG, "serving " + (token == null ? "without a token" : "with a token")
                + (readOnly ? ", read-only" : "") + " on " + address() + ", export root", ExportRoot.raw(root.real()));
        task.start();
        return task;
    }

    public String address() {
        InetSocketAddress a = http.getAddress();
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public long requestCount() {
        return requests.get();
    }

    public long rejectedCount() {
        return rejected.get();
    }

    /** Stops accepting, lets running exchanges finish for up to a second, frees the port. */
    public void close() {
        task.cancel();
    }

    private final class ServeTask extends Task<Void> {
        private volatile boolean stopped;

        @Override
        protected Void compute() throws InterruptedException {
            while (!cancel.isCancelled()) {
                Thread.sleep(50);
            }
            shutdown();
            return null;
        }

        synchronized void shutdown() {
            if (!stopped) {
                stopped = true;
                http.stop(1);
                handlers.shutdownNow();
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            shutdown();
        }
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) {
        requests.incrementAndGet();
        try (ex) {
            ex.getResponseHeaders().set(HEADER_SERVER, "1");
            ex.getResponseHeaders().set("Connection", "keep-alive");
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            try {
                checkToken(ex);
                Query q = new Query(ex.getRequestURI().getRawQuery());
                switch (path) {
                    case "/info" -> {
                        allow(method, "GET");
                        info(ex, q);
                    }
                    case "/hashes" -> {
                        allow(method, "GET");
                        hashes(ex, q);
                    }
                    case "/blocks" -> {
                        if (method.equals("GET")) {
                            readBlock(ex, q);
                        } else {
                            allow(method, "POST");
                            writable();
                            writeBlock(ex, q);
                        }
                    }
                    case "/resize" -> {
                        allow(method, "POST");
                        writable();
                        resize(ex, q);
                    }
                    default -> throw new HttpError(404, "no such endpoint");
                }
            } catch (HttpError e) {
                reject(ex, e.status, e.getMessage());
            } catch (FsException e) {
                int status = switch (e.errno() == null ? "" : e.errno()) {
                    case "ENOENT", "ENOTDIR" -> 404;
                    case "EACCES", "EPERM", "EROFS" -> 403;
                    case "EISDIR" -> 400;
                    case "ENOSPC", "EDQUOT" -> 507;
                    default -> 500;
                };
                reject(ex, status, e.reason());
            }
        } catch (IOException e) {
            // The client went away mid-exchange: nothing to answer, keep serving.
            Log.debug(LOG, "connection dropped: " + e);
        } catch (RuntimeException e) {
            Log.log(Log.ERROR, LOG, "internal error: " + e, null);
            try {
                reject(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        }
    }

    private void checkToken(HttpExchange ex) throws HttpError {
        if (token == null) {
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = auth != null && auth.startsWith("Bearer ")
                ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new HttpError(401, "a valid token is required");
        }
    }

    private static void allow(String method, String allowed) throws HttpError {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method not allowed (use " + allowed + ")");
        }
    }

    private void writable() throws HttpError {
        if (readOnly) {
            throw new HttpError(403, "this server is read-only");
        }
    }

    private void reject(HttpExchange ex, int status, String message) throws IOException {
        if (status != 404) {
            rejected.incrementAndGet();
        }
        Log.log(status >= 500 ? Log.ERROR : status == 404 ? Log.DEBUG : Log.WARNING, LOG,
                ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " from "
                        + ex.getRemoteAddress().getAddress().getHostAddress() + ": " + status + " " + message, null);
        drainBody(ex);
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (status == 405) {
            ex.getResponseHeaders().set("Allow", message.contains("POST") ? "POST" : "GET");
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    /** Skips a small unread request body so the connection can be reused; closes on a large one. */
    private static void drainBody(HttpExchange ex) {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        try {
            if (len != null && Long.parseLong(len.trim()) <= (1 << 20)) {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
            } else if (len != null) {
                ex.getResponseHeaders().set("Connection", "close");
            }
        } catch (IOException | NumberFormatException e) {
            ex.getResponseHeaders().set("Connection", "close");
        }
    }

    // ------------------------------------------------------------------ endpoints

    /** The confined, existing regular file a request names; 404 if missing, 400 if not a file. */
    private Path existingFile(Query q) throws HttpError, FsException {
        ExportRoot.Resolved r = root.resolve(q.bytes("filename"));
        if (!r.exists()) {
            throw new HttpError(404, "no such file");
        }
        if (!Files.isRegularFile(r.path(), ExportRoot.NOFOLLOW)) {
            throw new HttpError(400, "not a regular file");
        }
        return r.path();
    }

    private static long size(Path p) throws FsException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, ExportRoot.NOFOLLOW).size();
        } catch (IOException e) {
            throw FsException.from(e, ExportRoot.raw(p));
        }
    }

    private void info(HttpExchange ex, Query q) throws HttpError, IOException {
        Path p = existingFile(q);
        byte[] body = ("{\"size\":" + size(p) + "}\n").getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static final Object END = new Object();

    private void hashes(HttpExchange ex, Query q) throws HttpError, IOException {
        // Validate everything before any work: a bad method must never wedge anything (spec 3.2).
        HashAlgorithm algorithm;
        try {
            algorithm = BlockHashes.method(q.has("method") ? q.text("method") : null);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
        int blockSize = (int) q.integer("block_size", 1, maxBlockSize, 1 << 20);
        int threads = (int) Math.min(maxConcurrency,
                q.integer("concurrency", 1, Integer.MAX_VALUE, Math.min(maxConcurrency, Workers.count())));
        Path p = existingFile(q);
        long size = size(p);
        if (BlockHashes.blockCount(size, blockSize) > BlockHashes.MAX_BLOCKS) {
            throw new HttpError(400, "too many blocks; use a larger block_size");
        }
        Cancel cancel = new Cancel();
        BlockingQueue<Object> results = new ArrayBlockingQueue<>(256);
        Future<?> producer = Workers.pool().submit(() -> {
            Object last = END;
            try {
                HashCache.compute(p, size, blockSize, algorithm, threads, cancel, (i, digest) -> {
                    String line = ((long) i * blockSize) + "\t" + BlockHashes.hex(digest) + "\n";
                    while (!results.offer(line, 100, TimeUnit.MILLISECONDS)) {
                        cancel.check();
                    }
                });
            } catch (Throwable t) {
                last = t;
            }
            try {
                while (!results.offer(last, 100, TimeUnit.MILLISECONDS)) {
                    if (cancel.isCancelled()) {
                        return;
                    }
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, 0); // chunked: lines go out as blocks are hashed
            OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 1 << 16);
            while (true) {
                Object item = results.poll();
                if (item == null) {
                    out.flush(); // nothing ready: let the client have what we have
                    item = results.take();
                }
                if (item == END) {
                    break;
                }
                if (item instanceof Throwable t) {
                    // Status is already sent: drop the connection so the client sees a failure,
                    // not a short list (a missing hash would only mean "copy that block" anyway).
                    Log.log(Log.ERROR, LOG, "hashing failed mid-stream: " + t, ExportRoot.raw(p));
                    throw new IOException("hashing failed", t);
                }
                out.write(((String) item).getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            cancel.cancel();
            producer.cancel(false);
        }
    }

    private void readBlock(HttpExchange ex, Query q) throws HttpError, IOException {
        long offset = q.integer("offset", 0, Long.MAX_VALUE);
        long want = q.integer("size", 0, maxBlockSize);
        Path p = existingFile(q);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, ExportRoot.NOFOLLOW[0])) {
            long len = Math.max(0, Math.min(want, ch.size() - offset));
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, len == 0 ? -1 : len);
            if (len > 0) {
                // Large reads and writes: the server's output stream handles a few big writes far
                // better than transferTo's 8 KiB pieces.
                OutputStream out = ex.getResponseBody();
                byte[] buf = new byte[(int) Math.min(len, 1 << 20)];
                long pos = offset;
                long left = len;
                while (left > 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) Math.min(left, buf.length));
                    while (b.hasRemaining()) {
                        if (ch.read(b, pos + b.position()) < 0) {
                            throw new IOException("file shrank while being read");
                        }
                    }
                    out.write(buf, 0, b.position());
                    pos += b.position();
                    left -= b.position();
                }
            }
        } catch (NoSuchFileException e) {
            throw new HttpError(404, "no such file");
        }
    }

    private void writeBlock(HttpExchange ex, Query q) throws HttpError, IOException {
        long offset = q.integer("offset", 0, Long.MAX_VALUE - maxBlockSize);
        long declared = -1;
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl != null) {
            try {
                declared = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad Content-Length");
            }
            if (declared > maxBlockSize) {
                throw new HttpError(413, "block larger than " + maxBlockSize + " bytes");
            }
        }
        Path p = existingFile(q);
        // The raw body is the block, whatever Content-Type says (a form type must not lose data).
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, ExportRoot.NOFOLLOW[0]);
             InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[1 << 16];
            long pos = offset;
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBlockSize) {
                    ex.getResponseHeaders().set("Connection", "close");
                    throw new HttpError(413, "block larger than " + maxBlockSize + " bytes");
                }
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    pos += ch.write(b, pos);
                }
            }
            if (declared >= 0 && total != declared) {
                throw new HttpError(400, "body shorter than Content-Length");
            }
            ch.force(false); // durable before we say so
        } catch (NoSuchFileException e) {
            throw new HttpError(404, "no such file");
        } catch (AccessDeniedException e) {
            throw new HttpError(403, "permission denied");
        }
        ex.sendResponseHeaders(200, -1);
    }

    private void resize(HttpExchange ex, Query q) throws HttpError, IOException {
        long size = q.integer("size", 0, Long.MAX_VALUE);
        ExportRoot.Resolved r = root.resolve(q.bytes("filename"));
        Path p = r.path();
        if (!r.exists()) {
            Path parent = p.getParent();
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw new HttpError(400, "a parent of the file is not a directory");
            }
            // Re-check after creating: a racing symlink must not carry us out of the root.
            r = root.resolve(q.bytes("filename"));
            p = r.path();
            Log.log(Log.INFO, LOG, "creating file with size " + size, ExportRoot.raw(p));
        } else {
            if (!Files.isRegularFile(p, ExportRoot.NOFOLLOW)) {
                throw new HttpError(400, "not a regular file");
            }
            Log.log(Log.INFO, LOG, "resizing file to " + size, ExportRoot.raw(p));
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                ExportRoot.NOFOLLOW[0])) {
            if (ch.size() > size) {
                ch.truncate(size);
            } else if (ch.size() < size) {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1); // extends sparsely
            }
            ch.force(true);
        }
        if (!r.exists()) {
            syncDirectory(p.getParent());
        }
        ex.sendResponseHeaders(200, -1);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            Log.debug(LOG, "could not sync directory: " + e);
        }
    }
}
