package pyfsjvm.search;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import pyfsjvm.bridge.FsException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A user pattern in the syntax of Rust's {@code regex} crate (what pyfs-watcher users write),
 * compiled for RE2/J, which runs in time linear in the input whatever the pattern: no
 * backtracking, so {@code (a+)+$} over a long line cannot hang a worker.
 *
 * <p>Both engines descend from RE2 and share most syntax. Where they differ the pattern is
 * rewritten here (docs/search.md lists each difference):
 * <ul>
 *   <li>{@code \d \w \s} (and {@code \D \W \S}) are Unicode-aware in Rust and ASCII in RE2: they
 *       become the Unicode classes Rust means ({@code \p{Nd}}; letters, marks, digits and connector
 *       punctuation; the White_Space property).</li>
 *   <li>{@code (?<name>...)} becomes {@code (?P<name>...)}; the escapes backslash-u{..}, backslash-uXXXX and
 *       backslash-UXXXXXXXX become {@code \x{..}}.</li>
 *   <li>Verbose mode {@code (?x)} is applied here (whitespace and {@code #} comments dropped);
 *       the flags {@code u} and {@code R} are accepted and have no effect (Unicode is always on;
 *       lines never contain their {@code \n} or final {@code \r}).</li>
 *   <li>Rejected with a clear error instead of silently meaning something else: nested classes
 *       and class set operations ({@code &&}, {@code --}, {@code ~~}), {@code \<}, {@code \>},
 *       {@code \b{...}}.</li>
 *   <li>{@code \b} and {@code \B} stay ASCII word boundaries (RE2 has no Unicode ones).</li>
 * </ul>
 *
 * <p>{@link #literals()} gives the literal strings that any match must contain (one per top-level
 * alternative) so the searcher can skip to candidate lines without running the regex.
 */
public final class RustRegex {
    private static final String WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
    private static final String SPACE = "\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}";
    private static final String DIGIT = "\\p{Nd}";

    private final String source;
    private final String translated;
    private final Pattern pattern;
    private final boolean ignoreCase;
    private final byte[][] literals;
    private final boolean pureLiteral;

    private RustRegex(String source, String translated, Pattern pattern, boolean ignoreCase, byte[][] literals,
                      boolean pureLiteral) {
        this.source = source;
        this.translated = translated;
        this.pattern = pattern;
        this.ignoreCase = ignoreCase;
        this.literals = literals;
        this.pureLiteral = pureLiteral;
    }

    /**
     * Compiles a Rust-syntax pattern; {@code ignoreCase} is pyfs-watcher's {@code (?i)} prefix. A
     * bad pattern throws a domain {@link FsException} whose reason starts "regex parse error:".
     */
    public static RustRegex compile(String source, boolean ignoreCase) throws FsException {
        String translated;
        try {
            translated = new Translator(source).run();
        } catch (IllegalArgumentException e) {
            throw FsException.domain("regex parse error: " + e.getMessage() + ": " + source, null);
        }
        Pattern p;
        try {
            p = Pattern.compile(ignoreCase ? "(?i)" + translated : translated);
        } catch (PatternSyntaxException e) {
            throw FsException.domain("regex parse error: " + e.getDescription() + ": " + source, null);
        } catch (RuntimeException e) { // RE2/J reports a few limits this way
            throw FsException.domain("regex parse error: " + e.getMessage() + ": " + source, null);
        }
        Literals lit = Literals.extract(source, ignoreCase);
        return new RustRegex(source, translated, p, lit.caseInsensitive, lit.literals, lit.pure);
    }

    public String source() {
        return source;
    }

    /** The RE2/J pattern actually run (tests, debugging). */
    public String translated() {
        return translated;
    }

    public Pattern pattern() {
        return pattern;
    }

    /** Required literals (UTF-8), one of which every match contains; null if none is known. */
    public byte[][] literals() {
        return literals;
    }

    /** Whether the literals are to be matched ASCII-case-insensitively. */
    public boolean literalsIgnoreCase() {
        return ignoreCase;
    }

    /** True when the whole pattern is the single case-sensitive literal {@code literals()[0]}. */
    public boolean pureLiteral() {
        return pureLiteral;
    }

    public int groupCount() {
        return pattern.groupCount();
    }

    // ------------------------------------------------------------------ translation

    /** Rewrites Rust syntax into RE2/J syntax (see the class comment). */
    static final class Translator {
        private final String p;
        private final StringBuilder out = new StringBuilder();
        private int i;
        /** Verbose-mode state per open group (index = nesting depth). */
        private final List<Boolean> verboseStack = new ArrayList<>();
        private boolean verbose;

        Translator(String p) {
            this.p = p;
        }

        String run() {
            int n = p.length();
            while (i < n) {
                char c = p.charAt(i);
                if (verbose && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B)) {
                    i++;
                    continue;
                }
                if (verbose && c == '#') {
                    while (i < n && p.charAt(i) != '\n') {
                        i++;
                    }
                    continue;
                }
                switch (c) {
                    case '\\' -> escape(false);
                    case '[' -> charClass();
                    case '(' -> group();
                    case ')' -> {
                        if (!verboseStack.isEmpty()) {
                            verbose = verboseStack.remove(verboseStack.size() - 1);
                        }
                        out.append(')');
                        i++;
                    }
                    default -> {
                        out.append(c);
                        i++;
                    }
                }
            }
            return out.toString();
        }

        private void group() {
            verboseStack.add(verbose);
            if (p.startsWith("(?<", i) && !p.startsWith("(?<=", i) && !p.startsWith("(?<!", i)) {
                out.append("(?P<");
                i += 3;
                return;
            }
            if (p.startsWith("(?", i) && i + 2 < p.length() && p.charAt(i + 2) != 'P' && p.charAt(i + 2) != ':'
                    && p.charAt(i + 2) != '=' && p.charAt(i + 2) != '!') {
                // flags: (?flags) or (?flags:...)
                int j = i + 2;
                StringBuilder kept = new StringBuilder();
                boolean neg = false;
                boolean x = verbose;
                while (j < p.length() && p.charAt(j) != ')' && p.charAt(j) != ':') {
                    char f = p.charAt(j);
                    switch (f) {
                        case '-' -> {
                            neg = true;
                            kept.append(f);
                        }
                        case 'x' -> x = !neg;
                        case 'u', 'R' -> { } // always Unicode; lines hold no terminators
                        case 'i', 'm', 's', 'U' -> kept.append(f);
                        default -> throw new IllegalArgumentException("unrecognized flag '" + f + "'");
                    }
                    j++;
                }
                if (j >= p.length()) {
                    throw new IllegalArgumentException("unclosed group");
                }
                boolean scoped = p.charAt(j) == ':';
                String flags = kept.toString();
                if (flags.endsWith("-")) {
                    flags = flags.substring(0, flags.length() - 1);
                }
                if (scoped) {
                    out.append(flags.isEmpty() ? "(?:" : "(?" + flags + ":");
                    verbose = x; // restored at the group's ')'
                } else {
                    verboseStack.remove(verboseStack.size() - 1); // (?flags) opens no group
                    if (!flags.isEmpty()) {
                        out.append("(?").append(flags).append(')');
                    }
                    verbose = x;
                }
                i = j + 1;
                return;
            }
            out.append('(');
            i++;
        }

        /** An escape at {@code i}; {@code inClass} when inside [...]. */
        private void escape(boolean inClass) {
            if (i + 1 >= p.length()) {
                throw new IllegalArgumentException("incomplete escape sequence");
            }
            char e = p.charAt(i + 1);
            switch (e) {
                case 'd' -> out.append(inClass ? DIGIT : "\\p{Nd}");
                case 'D' -> out.append(inClass ? "\\P{Nd}" : "\\P{Nd}");
                case 'w' -> out.append(inClass ? WORD : "[" + WORD + "]");
                case 'W' -> {
                    if (inClass) {
                        throw new IllegalArgumentException("\\W inside a character class is not supported");
                    }
                    out.append("[^" + WORD + "]");
                }
                case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
                case 'S' -> {
                    if (inClass) {
                        throw new IllegalArgumentException("\\S inside a character class is not supported");
                    }
                    out.append("[^" + SPACE + "]");
                }
                case '<', '>' -> throw new IllegalArgumentException("word-boundary assertion \\" + e + " is not supported");
                case 'b' -> {
                    if (p.startsWith("{", i + 2)) {
                        throw new IllegalArgumentException("word-boundary assertion \\b{...} is not supported");
                    }
                    out.append("\\b");
                }
                case 'u', 'U' -> {
                    int j = i + 2;
                    String hex;
                    if (j < p.length() && p.charAt(j) == '{') {
                        int close = p.indexOf('}', j);
                        if (close < 0) {
                            throw new IllegalArgumentException("unclosed \\" + e + "{...} escape");
                        }
                        hex = p.substring(j + 1, close);
                        j = close + 1;
                    } else {
                        int len = e == 'u' ? 4 : 8;
                        if (j + len > p.length()) {
                            throw new IllegalArgumentException("incomplete \\" + e + " escape");
                        }
                        hex = p.substring(j, j + len);
                        j += len;
                    }
                    if (hex.isEmpty() || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                        throw new IllegalArgumentException("invalid hexadecimal escape \\" + e + hex);
                    }
                    out.append("\\x{").append(hex).append('}');
                    i = j;
                    return;
                }
                default -> {
                    out.append('\\');
                    out.appendCodePoint(p.codePointAt(i + 1));
                    i += 1 + Character.charCount(p.codePointAt(i + 1));
                    return;
                }
            }
            i += 2;
        }

        private void charClass() {
            out.append('[');
            i++;
            if (i < p.length() && p.charAt(i) == '^') {
                out.append('^');
                i++;
            }
            if (i < p.length() && p.charAt(i) == ']') { // a leading ']' is literal
                out.append("\\]");
                i++;
            }
            while (i < p.length()) {
                char c = p.charAt(i);
                if (c == ']') {
                    out.append(']');
                    i++;
                    return;
                }
                if (c == '\\') {
                    escape(true);
                    continue;
                }
                if (c == '[') {
                    if (p.startsWith("[:", i)) {
                        int close = p.indexOf(":]", i + 2);
                        if (close < 0) {
                            throw new IllegalArgumentException("unclosed character class");
                        }
                        out.append(p, i, close + 2);
                        i = close + 2;
                        continue;
                    }
                    throw new IllegalArgumentException("nested character classes are not supported");
                }
                if ((c == '&' || c == '-' || c == '~') && i + 1 < p.length() && p.charAt(i + 1) == c) {
                    throw new IllegalArgumentException("character class set operations (&&, --, ~~) are not supported");
                }
                if (verbose && Character.isWhitespace(c)) { // Rust's x mode ignores class whitespace too
                    i++;
                    continue;
                }
                out.appendCodePoint(p.codePointAt(i));
                i += Character.charCount(p.codePointAt(i));
            }
            throw new IllegalArgumentException("unclosed character class");
        }
    }

    // ------------------------------------------------------------------ literals

    /** Required literals for the prefilter (see {@link #literals()}). Conservative: null when unsure. */
    static final class Literals {
        byte[][] literals;
        boolean caseInsensitive;
        boolean pure;

        static Literals extract(String p, boolean ignoreCase) {
            Literals r = new Literals();
            r.caseInsensitive = ignoreCase;
            String body = p;
            if (body.startsWith("(?i)")) {
                r.caseInsensitive = true;
                body = body.substring(4);
            }
            if (body.contains("(?") && hasFlagGroup(body)) {
                return r; // inline flags change meaning mid-pattern: no prefilter
            }
            List<byte[]> lits = new ArrayList<>();
            boolean pure = true;
            int branches = 0;
            for (String branch : splitTop(body)) {
                branches++;
                Best b = scanBranch(branch, r.caseInsensitive);
                if (b == null || b.best == null || b.best.length == 0) {
                    return r;
                }
                lits.add(b.best);
                pure &= b.pure;
            }
            r.literals = lits.toArray(new byte[0][]);
            r.pure = pure && branches == 1 && !r.caseInsensitive;
            return r;
        }

        private static boolean hasFlagGroup(String s) {
            int k = -1;
            while ((k = s.indexOf("(?", k + 1)) >= 0) {
                if (k > 0 && s.charAt(k - 1) == '\\') {
                    continue;
                }
                char c = k + 2 < s.length() ? s.charAt(k + 2) : ')';
                if (c != ':' && c != 'P' && c != '<') {
                    return true;
                }
            }
            return false;
        }

        /** Top-level alternatives (split at '|' outside groups and classes). */
        static List<String> splitTop(String s) {
            List<String> out = new ArrayList<>();
            int depth = 0;
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '[') {
                    i = skipClass(s, i) - 1;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == '|' && depth == 0) {
                    out.add(s.substring(start, i));
                    start = i + 1;
                }
            }
            out.add(s.substring(start));
            return out;
        }

        /** Index just past the class starting at {@code i}. */
        static int skipClass(String s, int i) {
            int j = i + 1;
            if (j < s.length() && s.charAt(j) == '^') {
                j++;
            }
            if (j < s.length() && s.charAt(j) == ']') {
                j++;
            }
            while (j < s.length()) {
                char c = s.charAt(j);
                if (c == '\\') {
                    j += 2;
                    continue;
                }
                if (c == '[' && s.startsWith("[:", j)) {
                    int close = s.indexOf(":]", j + 2);
                    j = close < 0 ? s.length() : close + 2;
                    continue;
                }
                if (c == ']') {
                    return j + 1;
                }
                j++;
            }
            return s.length();
        }

        static final class Best {
            byte[] best;
            boolean pure = true;
        }

        /** The longest run of required literal characters in one alternative. */
        static Best scanBranch(String b, boolean ci) {
            Best r = new Best();
            StringBuilder run = new StringBuilder();
            int i = 0;
            int n = b.length();
            while (i < n) {
                int start = i;
                int cp = -1; // the literal code point of this item, or -1
                char c = b.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= n) {
                        return null;
                    }
                    char e = b.charAt(i + 1);
                    if ("\\.+*?()|[]{}^$#&-~ /".indexOf(e) >= 0) {
                        cp = e;
                    } else if (e == 'n') {
                        cp = '\n';
                    } else if (e == 't') {
                        cp = '\t';
                    }
                    i += 2;
                    if (cp < 0) { // \x.. (and u, U escapes) \p{..}: skip the argument too (conservative: not literal)
                        if (i < n && b.charAt(i) == '{') {
                            int close = b.indexOf('}', i);
                            i = close < 0 ? n : close + 1;
                        } else if (e == 'x') {
                            i = Math.min(n, i + 2);
                        } else if (e == 'p' || e == 'P') {
                            i = Math.min(n, i + 1);
                        } else if (e == 'u') {
                            i = Math.min(n, i + 4);
                        } else if (e == 'U') {
                            i = Math.min(n, i + 8);
                        }
                    }
                } else if (c == '[') {
                    i = skipClass(b, i);
                } else if (c == '(') {
                    int depth = 0;
                    int j = i;
                    for (; j < n; j++) {
                        char d = b.charAt(j);
                        if (d == '\\') {
                            j++;
                        } else if (d == '[') {
                            j = skipClass(b, j) - 1;
                        } else if (d == '(') {
                            depth++;
                        } else if (d == ')' && --depth == 0) {
                            break;
                        }
                    }
                    i = j + 1;
                } else if (c == '.' || c == '^' || c == '$') {
                    i++;
                } else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ')') {
                    return null; // odd syntax: let the regex engine judge, no prefilter
                } else {
                    cp = b.codePointAt(i);
                    i += Character.charCount(cp);
                }
                // quantifier?
                boolean optional = false;
                boolean ends = false;
                if (i < n) {
                    char q = b.charAt(i);
                    if (q == '?' || q == '*') {
                        optional = true;
                        i++;
                    } else if (q == '+') {
                        ends = true;
                        i++;
                    } else if (q == '{') {
                        int close = b.indexOf('}', i);
                        if (close < 0) {
                            return null;
                        }
                        String spec = b.substring(i + 1, close);
                        optional = spec.startsWith("0") || spec.startsWith(",");
                        ends = true;
                        i = close + 1;
                    }
                    if (i < n && (b.charAt(i) == '?')) { // lazy
                        i++;
                    }
                }
                boolean safe = cp >= 0 && (!ci || asciiFoldSafe(cp));
                if (!safe || optional) {
                    keep(r, run);
                    if (start != i) {
                        r.pure = false;
                    }
                    continue;
                }
                run.appendCodePoint(cp);
                if (ends) {
                    r.pure = false;
                    keep(r, run);
                }
            }
            keep(r, run);
            return r;
        }

        private static void keep(Best r, StringBuilder run) {
            if (run.length() > 0) {
                byte[] b = run.toString().getBytes(StandardCharsets.UTF_8);
                if (r.best != null) {
                    r.pure = false;
                }
                if (r.best == null || b.length > r.best.length) {
                    r.best = b;
                }
                run.setLength(0);
            }
        }

        /**
         * Characters whose case-insensitive matches are exactly their ASCII upper and lower case.
         * 'k' and 's' also match U+212A (Kelvin) and U+017F (long s), so they end a literal run.
         */
        static boolean asciiFoldSafe(int cp) {
            if (cp >= 0x80) {
                return false;
            }
            char l = Character.toLowerCase((char) cp);
            return l != 'k' && l != 's';
        }
    }
}
