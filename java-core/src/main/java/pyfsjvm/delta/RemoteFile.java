package pyfsjvm.delta;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    private final Http1 http;
    private final String host;
    private final int port;
    private final String hostPort;
    private final byte[] filename;
    private final String encodedName;
    private final String token;
    private long size = -2;
    private boolean ours;

    RemoteFile(Http1 http, String host, int port, byte[] filename, String token) {
        this.http = http;
        this.host = host;
        this.port = port;
        this.hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.filename = filename;
        this.encodedName = quotePlus(filename);
        this.token = token == null || token.isEmpty() ? null : token;
    }

    Http1 http() {
        return http;
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

    /** One exchange; connection failures become FsExceptions that name the server and request. */
    private Http1.Response send(String method, String endpoint, String params, byte[] body, int len)
            throws IOException {
        try {
            return http.send(method, host, port, "/" + endpoint + "?" + params, token, body, len);
        } catch (java.net.ConnectException e) {
            throw new FsException("ECONNREFUSED", filename, "cannot connect to " + hostPort + ": " + e.getMessage());
        } catch (java.net.SocketTimeoutException e) {
            throw new FsException("ETIMEDOUT", filename, "no answer from " + hostPort + " within "
                    + http.readTimeoutMs() / 1000 + " s (" + method + " /" + endpoint + ")");
        } catch (IOException e) {
            throw new FsException("ECONNRESET", filename, "connection to " + hostPort + " failed during "
                    + method + " /" + endpoint + ": " + e.getMessage());
        }
    }

    private IOException failure(Http1.Response r, String what) {
        String body = "";
        try (Http1.Body b = r.body) {
            body = new String(b.readNBytes(300), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // the reason stays empty
        }
        String reason = "server " + hostPort + " answered " + r.status + " to " + what
                + (body.isEmpty() || body.startsWith("<") ? "" : ": " + body);
        return switch (r.status) {
            case 404 -> new FsException("ENOENT", filename, reason);
            case 401, 403 -> new FsException("EACCES", filename, reason);
            default -> FsException.domain(reason, filename);
        };
    }

    private static byte[] readAll(Http1.Body b, int max) throws IOException {
        byte[] out = b.readNBytes(max + 1);
        if (out.length > max) {
            throw new IOException("response larger than " + max + " bytes");
        }
        return out;
    }

    private static final Pattern SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");

    @Override
    public synchronized long size() throws IOException {
        if (size == -2) {
            Http1.Response r = send("GET", "info", "filename=" + encodedName, null, 0);
            ours = r.headers.containsKey(DeltaServer.HEADER_SERVER.toLowerCase(java.util.Locale.ROOT));
            if (r.status == 404) {
                r.body.drain(1 << 16);
                r.body.close();
                size = -1;
            } else if (r.status / 100 != 2) {
                throw failure(r, "GET /info");
            } else {
                String json;
                try (Http1.Body b = r.body) {
                    json = new String(readAll(b, 1 << 16), StandardCharsets.UTF_8);
                }
                Matcher m = SIZE.matcher(json);
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
        Http1.Response r = send("GET", "hashes", params, null, 0);
        try (InputStream body = r.body) {
            if (r.status != 200) {
                throw failure(r, "GET /hashes");
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

    @Override
    public int read(long offset, byte[] buf) throws IOException {
        Http1.Response r = send("GET", "blocks", "filename=" + encodedName + "&offset=" + offset
                + "&size=" + buf.length, null, 0);
        if (r.status != 200) {
            throw failure(r, "GET /blocks");
        }
        try (Http1.Body body = r.body) {
            int n = body.readNBytes(buf, 0, buf.length);
            if (body.read() >= 0) {
                throw FsException.domain("server " + hostPort + " sent more than the block size", filename);
            }
            return n;
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            throw new FsException("ECONNRESET", filename, "block download from " + hostPort + " broke off: "
                    + e.getMessage());
        }
    }

    @Override
    public void write(long offset, byte[] buf, int len) throws IOException {
        Http1.Response r = send("POST", "blocks", "filename=" + encodedName + "&offset=" + offset, buf, len);
        if (r.status / 100 != 2) {
            throw failure(r, "POST /blocks");
        }
        r.body.drain(1 << 16);
        r.body.close();
    }

    @Override
    public void resize(long newSize) throws IOException {
        Http1.Response r = send("POST", "resize", "filename=" + encodedName + "&size=" + newSize, null, 0);
        if (r.status / 100 != 2) {
            throw failure(r, "POST /resize");
        }
        r.body.drain(1 << 16);
        r.body.close();
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
