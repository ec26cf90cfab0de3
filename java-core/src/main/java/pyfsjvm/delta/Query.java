package pyfsjvm.delta;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's query string, decoded as Python's {@code urlencode} (quote_plus) wrote it: {@code +}
 * is a space and {@code %XX} a byte. Values stay bytes, because {@code filename} is a path.
 */
final class Query {
    private final Map<String, byte[]> values = new HashMap<>();

    Query(String raw) throws HttpError {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = new String(decode(eq < 0 ? pair : pair.substring(0, eq)), StandardCharsets.UTF_8);
            byte[] value = eq < 0 ? new byte[0] : decode(pair.substring(eq + 1));
            if (values.put(key, value) != null) {
                throw new HttpError(400, "query parameter given twice: " + key);
            }
        }
    }

    private static byte[] decode(String s) throws HttpError {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new HttpError(400, "bad percent-escape in query");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new HttpError(400, "bad percent-escape in query");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7f) {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    byte[] bytes(String key) throws HttpError {
        byte[] v = values.get(key);
        if (v == null) {
            throw new HttpError(400, "missing query parameter: " + key);
        }
        return v;
    }

    String text(String key) throws HttpError {
        return new String(bytes(key), StandardCharsets.UTF_8);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** A non-negative decimal integer within [min, max]. */
    long integer(String key, long min, long max) throws HttpError {
        String s = text(key).trim();
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "query parameter " + key + " is not an integer: " + abbreviate(s));
        }
        if (v < min || v > max) {
            throw new HttpError(400, "query parameter " + key + " out of range [" + min + ", " + max + "]: " + v);
        }
        return v;
    }

    long integer(String key, long min, long max, long dflt) throws HttpError {
        return has(key) ? integer(key, min, max) : dflt;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
