package pyfsjvm.walk;

import pyfsjvm.bridge.FsException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Globs with the syntax and errors of Rust's globset 0.4 ({@code Glob::new} defaults), which is
 * what pyfs-watcher users write: case-sensitive; {@code *} and {@code ?} may cross '/';
 * {@code [abc]}, {@code [a-z]}, {@code [!a]}, {@code [^a]}; {@code {a,b}} alternation (not nested);
 * {@code \} escapes; {@code **} next to separators spans directories ({@code **}{@code /x},
 * {@code x/**}, {@code a/**}{@code /b}) and elsewhere acts like {@code *}. No special case for a
 * leading dot. {@code FileSystem.getPathMatcher("glob:")} differs in all of these, hence this class.
 *
 * <p>Names are raw bytes; for matching they are decoded as UTF-8 (an invalid byte becomes U+FFFD,
 * which only wildcards match). Nothing decoded here is ever used as a path.
 */
public final class Glob {
    private final String source;
    private final Pattern regex;
    /** Fast paths for the common shapes "*.ext" and a plain literal. */
    private final byte[] suffix;
    private final byte[] literal;

    private Glob(String source, Pattern regex, byte[] suffix, byte[] literal) {
        this.source = source;
        this.regex = regex;
        this.suffix = suffix;
        this.literal = literal;
    }

    public String source() {
        return source;
    }

    /** The Java regex this glob was translated to (for tests and debugging). */
    public String regex() {
        return regex.pattern();
    }

    /**
     * Compiles {@code glob}. A syntax error throws a domain {@link FsException} whose reason is
     * globset's: {@code error parsing glob '<g>': <what>}.
     */
    public static Glob compile(String glob) throws FsException {
        StringBuilder re = new StringBuilder("^");
        translate(glob, re);
        re.append('$');
        byte[] suffix = null;
        byte[] literal = null;
        if (glob.startsWith("*") && isPlain(glob.substring(1))) {
            suffix = glob.substring(1).getBytes(StandardCharsets.UTF_8);
        } else if (isPlain(glob)) {
            literal = glob.getBytes(StandardCharsets.UTF_8);
        }
        return new Glob(glob, Pattern.compile(re.toString(), Pattern.DOTALL), suffix, literal);
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[]{}\\".indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    public boolean matches(String s) {
        return regex.matcher(s).matches();
    }

    /** Matches raw bytes {@code b[off, off+len)} (a basename, or a relative path). */
    public boolean matches(byte[] b, int off, int len) {
        if (suffix != null) {
            return len >= suffix.length
                    && java.util.Arrays.equals(b, off + len - suffix.length, off + len, suffix, 0, suffix.length);
        }
        if (literal != null) {
            return java.util.Arrays.equals(b, off, off + len, literal, 0, literal.length);
        }
        return regex.matcher(new String(b, off, len, StandardCharsets.UTF_8)).matches();
    }

    // ------------------------------------------------------------------ translation

    private static void translate(String g, StringBuilder re) throws FsException {
        int n = g.length();
        boolean inAlt = false;
        int i = 0;
        while (i < n) {
            char c = g.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= n) {
                        throw error(g, "dangling '\\'");
                    }
                    appendLiteral(re, g.codePointAt(i + 1));
                    i += Character.charCount(g.codePointAt(i + 1)) + 1;
                    continue;
                }
                case '?' -> re.append('.');
                case '*' -> {
                    int j = i;
                    while (j < n && g.charAt(j) == '*') {
                        j++;
                    }
                    if (j - i >= 2) {
                        boolean atStart = i == 0 || g.charAt(i - 1) == '/';
                        boolean atEnd = j == n || g.charAt(j) == '/';
                        if (atStart && atEnd) {
                            if (i == 0 && j == n) {
                                re.append(".*");
                            } else if (i == 0) { // "**/rest": any leading directories, or none
                                re.append("(?:/?|.*/)");
                                j++; // swallow the '/'
                            } else if (j == n) { // "rest/**": everything below
                                re.setLength(re.length() - 1); // drop the '/' just written
                                re.append("/.*");
                            } else { // "a/**/b"
                                re.setLength(re.length() - 1);
                                re.append("(?:/|/.*/)");
                                j++;
                            }
                            i = j;
                            continue;
                        }
                    }
                    re.append(".*");
                    i = j;
                    continue;
                }
                case '[' -> {
                    i = translateClass(g, i, re);
                    continue;
                }
                case '{' -> {
                    if (inAlt) {
                        throw error(g, "nested alternate groups are not allowed");
                    }
                    inAlt = true;
                    re.append("(?:");
                }
                case '}' -> {
                    if (!inAlt) {
                        throw error(g, "unopened alternate group; missing '{' (maybe escape '}' with '[}]'?)");
                    }
                    inAlt = false;
                    re.append(')');
                }
                case ',' -> re.append(inAlt ? "|" : ",");
                default -> {
                    appendLiteral(re, g.codePointAt(i));
                    i += Character.charCount(g.codePointAt(i));
                    continue;
                }
            }
            i++;
        }
        if (inAlt) {
            throw error(g, "unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)");
        }
    }

    /** Translates the class starting at {@code g[start] == '['}; returns the index after it. */
    private static int translateClass(String g, int start, StringBuilder re) throws FsException {
        int n = g.length();
        int i = start + 1;
        boolean negated = false;
        if (i < n && (g.charAt(i) == '!' || g.charAt(i) == '^')) {
            negated = true;
            i++;
        }
        StringBuilder cls = new StringBuilder(negated ? "[^" : "[");
        boolean first = true;
        int prev = -1; // last single char, for ranges
        while (true) {
            if (i >= n) {
                throw error(g, "unclosed character class; missing ']'");
            }
            int cp = g.codePointAt(i);
            int w = Character.charCount(cp);
            if (cp == ']' && !first) {
                i++;
                break;
            }
            if (cp == '-' && !first && prev >= 0 && i + 1 < n && g.charAt(i + 1) != ']') {
                int hi = g.codePointAt(i + 1);
                if (hi < prev) {
                    throw error(g, "invalid range; '" + new String(Character.toChars(prev)) + "' > '"
                            + new String(Character.toChars(hi)) + "'");
                }
                cls.append('-');
                appendClassChar(cls, hi);
                i += 1 + Character.charCount(hi);
                prev = -1;
                first = false;
                continue;
            }
            appendClassChar(cls, cp);
            prev = cp;
            i += w;
            first = false;
        }
        re.append(cls).append(']');
        return i;
    }

    private static void appendLiteral(StringBuilder re, int cp) {
        if ("\\.[]{}()<>*+-=!?^$|".indexOf(cp) >= 0) {
            re.append('\\');
        }
        re.appendCodePoint(cp);
    }

    private static void appendClassChar(StringBuilder cls, int cp) {
        if ("\\[]^-&".indexOf(cp) >= 0) {
            cls.append('\\');
        }
        cls.appendCodePoint(cp);
    }

    private static FsException error(String g, String what) {
        return FsException.domain("error parsing glob '" + g + "': " + what, null);
    }
}
