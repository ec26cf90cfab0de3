package pyfsjvm.delta;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.hash.HashAlgorithm;

/**
 * A file on a pdiffcopy-compatible server, spoken to exactly as the real client does (spec section
 * 3, client side of section 10): {@code filename} is the URL path, query-encoded like Python's
 * {@code quote_plus}; {@code method} and {@code block_size} are always sent; block bodies go out
 * as {@code application/octet-stream}. Unlike the real client, connections are kept alive and
 * every request has a timeout (a real server given a bad hash method never answers).
 */
final class RemoteFile implements Endpoint {
    /** Methods a real (Python hashlib) pdiffcopy server can be trusted to know. */
    static final Set<String> HASHLIB_SAFE = Set.of("md5", "sha1", "sha224", "sha256", "sha384", "sha512",
            "sha3224", "sha3256", "sha3384", "sha3512", "sha512224", "sha512256", "blake2b", "blake2s");

    private final HttpClient http;
    private final String base;
    private final String hostPort;
    private final byte[] filename;
    private final String encodedName;
    private final String token;
    private final Duration timeout;
    private long size = -2;
    private boolean ours;

    RemoteFile(HttpClient http, String host, int port, byte[] filename, String token, Duration timeout) {
        this.http = http;
        this.hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.base = "http://" + hostPort + "/";
        this.filename = filename;
        this.encodedName = quotePlus(filename);
        this.token = token == null || token.isEmpty() ? null : token;
        this.timeout = timeout;
    }

    /** Python's {@code urllib.parse.quote_plus} over raw bytes. */
    static String quotePlus(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length * 3 / 2);
        for (byte b : raw) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '.' || c == '-' || c == '~') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private HttpRequest.Builder request(String endpoint, String params) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + endpoint + "?" + params)).timeout(timeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(req, handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new FsException("ECONNREFUSED", filename, "cannot connect to " + hostPort + ": " + e.getMessage());
        } catch (HttpTimeoutException e) {
            throw new FsException("ETIMEDOUT", filename, "no answer from " + hostPort + " within "
                    + timeout.toSeconds() + " s (" + req.method() + " " + req.uri().getPath() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (IOException e) {
            throw new FsException("ECONNRESET", filename, "connection to " + hostPort + " failed during "
                    + req.method() + " " + req.uri().getPath() + ": " + e);
        }
    }

    private IOException failure(HttpResponse<?> r, String what) {
        String body = "";
        if (r.body() instanceof byte[] b) {
            body = new String(b, 0, Math.min(b.length, 300), StandardCharsets.UTF_8).trim();
        } else if (r.body() instanceof String s) {
            body = s.length() > 300 ? s.substring(0, 300) : s.trim();
        }
        String reason = "server " + hostPort + " answered " + r.statusCode() + " to " + what
                + (body.isEmpty() || body.startsWith("<") ? "" : ": " + body);
        return switch (r.statusCode()) {
            case 404 -> new FsException("ENOENT", filename, reason);
            case 401, 403 -> new FsException("EACCES", filename, reason);
            default -> FsException.domain(reason, filename);
        };
    }

    private static final Pattern SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");

    @Override
    public synchronized long size() throws IOException {
        if (size == -2) {
            HttpResponse<String> r = send(request("info", "filename=" + encodedName).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            ours = r.headers().firstValue(DeltaServer.HEADER_SERVER).isPresent();
            if (r.statusCode() == 404) {
                size = -1;
            } else if (r.statusCode() / 100 != 2) {
                throw failure(r, "GET /info");
            } else {
                Matcher m = SIZE.matcher(r.body());
                // pdiffcopy: an empty JSON object also means "absent"
                size = m.find() ? Long.parseLong(m.group(1)) : -1;
            }
        }
        return size;
    }

    /** True when the server is pyfs-jvm's (it knows every method of our hashing core). */
    boolean isOurs() throws IOException {
        size();
        return ours;
    }

    @Override
    public void hashes(int blockSize, String method, HashAlgorithm algorithm, int concurrency, Cancel cancel,
                       BlockHashes.Sink sink) throws IOException, InterruptedException {
        String squashed = method.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
        if (!isOurs() && !HASHLIB_SAFE.contains(squashed)) {
            // A real pdiffcopy server hangs a worker forever on a method hashlib lacks.
            throw FsException.domain("the server at " + hostPort + " is not pyfs-jvm; hash method '" + method
                    + "' is not one it is sure to support (use sha1, sha256, md5, ...)", filename);
        }
        long n = size();
        long count = BlockHashes.blockCount(n, blockSize);
        String params = "block_size=" + blockSize + "&concurrency=" + concurrency + "&method="
                + quotePlus(method.getBytes(StandardCharsets.UTF_8)) + "&filename=" + encodedName;
        HttpResponse<InputStream> r = send(request("hashes", params).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                byte[] head = body.readNBytes(300);
                throw failure(new ByteResponse(r, head), "GET /hashes");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.US_ASCII), 1 << 16);
            String line;
            while ((line = in.readLine()) != null) {
                cancel.check();
                if (line.isEmpty()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                long offset;
                byte[] digest;
                try {
                    offset = Long.parseLong(line.substring(0, Math.max(0, tab)));
                    digest = BlockHashes.unhex(line.substring(tab + 1).trim());
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    digest = null;
                    offset = -1;
                }
                if (digest == null || offset < 0 || offset % blockSize != 0 || offset / blockSize >= count) {
                    throw FsException.domain("server " + hostPort + " sent a malformed hash line: "
                            + (line.length() > 80 ? line.substring(0, 80) : line), filename);
                }
                sink.accept((int) (offset / blockSize), digest);
            }
        } catch (IOException e) {
            if (e instanceof FsException) {
                throw e;
            }
            throw new FsException("ECONNRESET", filename, "hash stream from " + hostPort + " broke off: " + e);
        }
    }

    /** A response whose body we read ourselves (for error messages). */
    private record ByteResponse(HttpResponse<?> r, byte[] body) implements HttpResponse<byte[]> {
        public int statusCode() {
            return r.statusCode();
        }

        public HttpRequest request() {
            return r.request();
        }

        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return r.headers();
        }

        public URI uri() {
            return r.uri();
        }

        public HttpClient.Version version() {
            return r.version();
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return r.sslSession();
        }
    }

    @Override
    public int read(long offset, byte[] buf) throws IOException {
        HttpResponse<InputStream> r = send(request("blocks", "filename=" + encodedName + "&offset=" + offset
                + "&size=" + buf.length).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                throw failure(new ByteResponse(r, body.readNBytes(300)), "GET /blocks");
            }
            int n = body.readNBytes(buf, 0, buf.length);
            if (body.read() >= 0) {
                throw FsException.domain("server " + hostPort + " sent more than the block size", filename);
            }
            return n;
        }
    }

    @Override
    public void write(long offset, byte[] buf, int len) throws IOException {
        HttpRequest req = request("blocks", "filename=" + encodedName + "&offset=" + offset)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(buf, 0, len)).build();
        HttpResponse<byte[]> r = send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw failure(r, "POST /blocks");
        }
    }

    @Override
    public void resize(long newSize) throws IOException {
        HttpRequest req = request("resize", "filename=" + encodedName + "&size=" + newSize)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<byte[]> r = send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw failure(r, "POST /resize");
        }
        synchronized (this) {
            size = newSize;
        }
    }

    @Override
    public String label() {
        return "remote file on " + hostPort;
    }

    @Override
    public boolean isRemote() {
        return true;
    }
}
