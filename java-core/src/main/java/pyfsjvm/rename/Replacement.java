package pyfsjvm.rename;

import com.google.re2j.Matcher;
import pyfsjvm.bridge.FsException;
import pyfsjvm.search.RustRegex;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A replacement string with the syntax of Rust's {@code Regex::replace_all} (pyfs-watcher spec
 * 2.5): {@code $N} and {@code $name} take the longest run of {@code [A-Za-z0-9_]} (so
 * {@code $1_bak} names the group "1_bak"); {@code ${N}} and {@code ${name}} are delimited;
 * {@code $$} is a literal '$'; a backslash is literal. Unlike the reference, a reference to a group
 * the pattern does not have is an error (the reference silently inserts nothing, which turns
 * {@code $1_bak} into data loss); a group that exists but did not take part inserts nothing.
 */
final class Replacement {
    /** Literal bytes (byte[]) or a group number (Integer). */
    private final List<Object> parts = new ArrayList<>();

    Replacement(String text, RustRegex re) throws FsException {
        int groups = re.groupCount();
        Map<String, Integer> named = re.pattern().namedGroups();
        ByteArrayOutputStream lit = new ByteArrayOutputStream();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                int cp = text.codePointAt(i);
                lit.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 < n && text.charAt(i + 1) == '$') {
                lit.write('$');
                i += 2;
                continue;
            }
            String ref;
            int next;
            if (i + 1 < n && text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) { // Rust: not a reference, the '$' is literal
                    lit.write('$');
                    i++;
                    continue;
                }
                ref = text.substring(i + 2, close);
                next = close + 1;
            } else {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(text.charAt(j)) && text.charAt(j) < 128 || text.charAt(j) == '_')) {
                    j++;
                }
                ref = text.substring(i + 1, j);
                next = j;
            }
            if (ref.isEmpty()) { // "$" then something else: literal
                lit.write('$');
                i++;
                continue;
            }
            int group;
            if (ref.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                group = ref.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(ref);
                if (group > groups) {
                    throw missing(text, ref, groups, named);
                }
            } else {
                Integer g = named.get(ref);
                if (g == null) {
                    throw missing(text, ref, groups, named);
                }
                group = g;
            }
            if (lit.size() > 0) {
                parts.add(lit.toByteArray());
                lit.reset();
            }
            parts.add(group);
            i = next;
        }
        if (lit.size() > 0) {
            parts.add(lit.toByteArray());
        }
    }

    private static FsException missing(String text, String ref, int groups, Map<String, Integer> named) {
        StringBuilder m = new StringBuilder("invalid replacement \"" + text + "\": group \"" + ref + "\" does not exist"
                + " (the pattern has " + groups + " numbered group" + (groups == 1 ? "" : "s"));
        if (!named.isEmpty()) {
            m.append(" and named ").append(String.join(", ", new java.util.TreeSet<>(named.keySet())));
        }
        m.append(")");
        int k = 0;
        while (k < ref.length() && Character.isDigit(ref.charAt(k))) {
            k++;
        }
        if (k > 0 && k < ref.length()) {
            m.append("; to follow group ").append(ref, 0, k).append(" with \"").append(ref.substring(k))
                    .append("\" write ${").append(ref, 0, k).append('}').append(ref.substring(k));
        }
        return FsException.domain(m.toString(), null);
    }

    /**
     * Every non-overlapping match in {@code name} replaced (Rust {@code replace_all}), or null
     * if the pattern does not match.
     */
    byte[] replaceAll(Matcher m, byte[] name) {
        m.reset(name);
        ByteArrayOutputStream out = null;
        int last = 0;
        int lastMatchEnd = -1;
        while (m.find()) {
            int s = m.start();
            int e = m.end();
            if (s == e && s == lastMatchEnd) {
                continue; // an empty match right after a match is not a new one (Rust find_iter)
            }
            if (out == null) {
                out = new ByteArrayOutputStream(name.length + 16);
            }
            out.write(name, last, s - last);
            for (Object p : parts) {
                if (p instanceof byte[] b) {
                    out.writeBytes(b);
                } else {
                    int g = (Integer) p;
                    int gs = m.start(g);
                    if (gs >= 0) {
                        out.write(name, gs, m.end(g) - gs);
                    }
                }
            }
            last = e;
            lastMatchEnd = e;
        }
        if (out == null) {
            return null;
        }
        out.write(name, last, name.length - last);
        return out.toByteArray();
    }
}
