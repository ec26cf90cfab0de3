package pyfsjvm.delta;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal HTTP/1.1 client with a pool of kept-alive connections, for the few request shapes of
 * pdiffcopy's protocol. {@code java.net.http.HttpClient} moved 1 MiB block bodies at about a fifth
 * of the speed a plain socket does here (its bodies arrive as a flow of small buffers through a
 * selector thread); a block transfer is nothing but large bodies.
 *
 * <p>Every read has a timeout ({@code SO_TIMEOUT}); {@link #closeAll()} (on cancel) closes every
 * connection, which unblocks any thread reading from one.
 */
public final class Http1 {
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final Map<String, Deque<Conn>> idle = new HashMap<>();
    private final Set<Conn> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Http1(int connectTimeoutMs, int readTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    int readTimeoutMs() {
        return readTimeoutMs;
    }

    /** One connection; used by one thread at a time. */
    static final class Conn {
        final String key;
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Conn(String key, Socket socket) throws IOException {
            this.key = key;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        }
    }

    /** A response: status, headers (lower-case names) and the body, which must be closed. */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final Body body;

        Response(int status, Map<String, String> headers, Body body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    private Conn acquire(String host, int port, boolean fresh) throws IOException {
        if (closed) {
            throw new IOException("client closed (cancelled)");
        }
        String key = host + ":" + port;
        if (!fresh) {
            synchronized (idle) {
                Deque<Conn> q = idle.get(key);
                Conn c = q == null ? null : q.pollFirst();
                if (c != null) {
                    return c;
                }
            }
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            Conn c = new Conn(key, s);
            open.add(c);
            if (closed) {
                discard(c);
                throw new IOException("client closed (cancelled)");
            }
            return c;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void release(Conn c) {
        if (closed) {
            discard(c);
            return;
        }
        synchronized (idle) {
            idle.computeIfAbsent(c.key, k -> new ArrayDeque<>()).addFirst(c);
        }
    }

    private void discard(Conn c) {
        open.remove(c);
        try {
            c.socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    /** Closes every connection (idle or in use); later requests fail. */
    public void closeAll() {
        closed = true;
        for (Conn c : open) {
            discard(c);
        }
        synchronized (idle) {
            idle.clear();
        }
    }

    /**
     * Sends one request and reads the response head. A kept-alive connection that turns out to be
     * closed by the server is retried once on a new one (every request of this protocol is
     * idempotent: reads, and writes of the same bytes at the same place).
     */
    Response send(String method, String host, int port, String target, String token, byte[] body, int len)
            throws IOException {
        boolean fresh = false;
        while (true) {
            Conn c = acquire(host, port, fresh);
            boolean sent = false;
            try {
                StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target)
                        .append(" HTTP/1.1\r\nHost: ").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                        .append(':').append(port).append("\r\nUser-Agent: pyfs-jvm-delta\r\nAccept-Encoding: identity\r\n");
                if (token != null) {
                    head.append("Authorization: Bearer ").append(token).append("\r\n");
                }
                if (body != null) {
                    head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(len).append("\r\n");
                } else if (method.equals("POST")) {
                    head.append("Content-Length: 0\r\n");
                }
                head.append("\r\n");
                c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    c.out.write(body, 0, len);
                }
                c.out.flush();
                sent = true;
                int first = c.in.read();
                if (first < 0) {
                    throw new StaleConnection();
                }
                return readResponse(c, first, method);
            } catch (StaleConnection e) {
                discard(c);
                if (fresh) {
                    throw new IOException("server closed the connection without answering");
                }
                fresh = true; // a kept-alive connection the server had already closed
            } catch (IOException | RuntimeException e) {
                discard(c);
                if (!sent && !fresh && !(e instanceof java.net.SocketTimeoutException) && !closed) {
                    fresh = true;
                    continue;
                }
                throw e;
            }
        }
    }

    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private Response readResponse(Conn c, int first, String method) throws IOException {
        String status = (char) first + readLine(c.in);
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("not an HTTP response: " + abbreviate(status));
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + abbreviate(status));
        }
        Map<String, String> headers = new HashMap<>();
        String line;
        int count = 0;
        while (!(line = readLine(c.in)).isEmpty()) {
            if (++count > 200) {
                throw new IOException("too many response headers");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        boolean keepAlive = !"close".equalsIgnoreCase(headers.getOrDefault("connection", ""))
                && !status.startsWith("HTTP/1.0");
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        Body body;
        if (method.equals("HEAD") || code == 204 || code == 304 || code / 100 == 1) {
            body = new Body(c, 0, false, keepAlive);
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = new Body(c, -1, true, keepAlive);
        } else if (cl != null) {
            try {
                body = new Body(c, Long.parseLong(cl.trim()), false, keepAlive);
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + abbreviate(cl));
            }
        } else {
            body = new Body(c, -1, false, false); // until the server closes
        }
        return new Response(code, headers, body);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') {
                break;
            }
            if (b.size() > 16384) {
                throw new IOException("HTTP line too long");
            }
            b.write(ch);
        }
        if (ch < 0 && b.size() == 0) {
            throw new IOException("connection closed mid-response");
        }
        int n = b.size();
        byte[] a = b.toByteArray();
        return new String(a, 0, n > 0 && a[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
    }

    /** A response body: fixed length, chunked, or up to the end of the connection. */
    final class Body extends InputStream {
        private final Conn conn;
        private final boolean chunked;
        private final boolean keepAlive;
        private long left; // bytes left in the body (fixed) or in the current chunk (chunked); -1: to EOF
        private boolean done;
        private boolean released;

        Body(Conn conn, long length, boolean chunked, boolean keepAlive) {
            this.conn = conn;
            this.chunked = chunked;
            this.keepAlive = keepAlive;
            this.left = chunked ? 0 : length;
            this.done = !chunked && length == 0;
        }

        private boolean fill() throws IOException {
            if (done) {
                return false;
            }
            if (chunked && left == 0) {
                String sizeLine = readLine(conn.in);
                if (sizeLine.isEmpty()) { // the CRLF after the previous chunk
                    sizeLine = readLine(conn.in);
                }
                int semi = sizeLine.indexOf(';');
                try {
                    left = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size: " + abbreviate(sizeLine));
                }
                if (left == 0) {
                    while (!readLine(conn.in).isEmpty()) {
                        // trailers
                    }
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int want = left < 0 ? len : (int) Math.min(len, left);
            int n = conn.in.read(b, off, want);
            if (n < 0) {
                if (left < 0 && !chunked) {
                    done = true;
                    return -1;
                }
                throw new IOException("connection closed mid-body");
            }
            if (left > 0) {
                left -= n;
                if (left == 0 && !chunked) {
                    done = true;
                }
            }
            return n;
        }

        /** Gives the connection back for reuse if the body was read to its end, else closes it. */
        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (done && keepAlive) {
                release(conn);
            } else {
                discard(conn);
            }
        }

        /** Reads and drops a small rest of the body so the connection can be reused. */
        void drain(int max) throws IOException {
            byte[] buf = new byte[8192];
            int total = 0;
            int n;
            while (total < max && (n = read(buf, 0, buf.length)) > 0) {
                total += n;
            }
        }
    }
}
