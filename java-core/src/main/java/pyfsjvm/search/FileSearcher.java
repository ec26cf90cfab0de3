package pyfsjvm.search;

import com.google.re2j.Matcher;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.RawPaths;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Searches one file, line by line, the way pyfs-watcher defines a match (spec 3.6), without its
 * limits: the file is read in blocks (never whole), lines that are not valid UTF-8 are searched
 * too, and every match on a line is found ({@link Match#spans}).
 *
 * <p>Lines end at '\n'; one '\r' before it is not part of the line. A final line without '\n'
 * counts; a final '\n' does not start an empty line. Offsets are UTF-8 byte offsets in the line.
 * A file holding a NUL byte anywhere in what is read is binary and gives no result (the reference
 * looks at the first 8 KiB only; ripgrep, like this, at everything it reads).
 *
 * <p>With a prefilter the searcher jumps from one literal occurrence to the next and only counts
 * the newlines in between, so the regex runs on candidate lines only. Lines of before-context are
 * kept in the buffer across refills; after-context lines are collected as they are read.
 *
 * <p>One instance per worker thread (it owns its buffer and RE2/J matcher).
 */
final class FileSearcher {
    /** One matching line. */
    static final class Match {
        long line;
        int start;
        int end;
        byte[] text;
        /** Further matches on the line as start,end pairs (null when there is only the first). */
        int[] more;
        byte[][] before;
        List<byte[]> after;
        int afterLeft;
    }

    /** Returned by {@link #search} for a binary file. */
    static final List<Match> BINARY = List.of();

    private static final int BLOCK = 1 << 18;
    private static final byte[] EMPTY = new byte[0];

    private final RustRegex re;
    private final Prefilter pre;
    private final boolean pure;
    private final byte[] pureLit;
    private final Matcher matcher;
    private final int context;
    private final long maxCount;
    private byte[] buf = new byte[BLOCK];

    FileSearcher(RustRegex re, int context, long maxCount) {
        this.re = re;
        this.pre = re.literals() == null ? null : new Prefilter(re.literals(), re.literalsIgnoreCase());
        this.pure = re.pureLiteral();
        this.pureLit = pure ? re.literals()[0] : null;
        this.matcher = re.pattern().matcher(EMPTY);
        this.context = context;
        this.maxCount = maxCount;
    }

    // per-file state
    private int start;
    private int keep;
    private int end;
    /** Newlines are counted lazily: {@code baseLine} is the line number at buffer position {@code base}. */
    private int base;
    private long baseLine;
    /** Bytes {@code [0, scanned)} of the buffer are known to hold no NUL (checked lazily too). */
    private int scanned;
    private boolean stopMatching;
    private boolean done;
    private List<Match> matches;
    private final List<Match> pending = new ArrayList<>();

    /**
     * The matches in {@code path} ({@code null} if none), or {@link #BINARY}. An unreadable file
     * throws the OS error.
     */
    List<Match> search(byte[] path, Cancel cancel) throws FsException {
        start = keep = end = 0;
        base = scanned = 0;
        baseLine = 1;
        stopMatching = maxCount <= 0;
        done = false;
        matches = null;
        pending.clear();
        if (stopMatching) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(RawPaths.path(path), StandardOpenOption.READ)) {
            boolean eof = false;
            while (!done) {
                cancel.check();
                if (!compact()) {
                    return BINARY;
                }
                if (end == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2); // one line longer than the buffer
                }
                int n = ch.read(ByteBuffer.wrap(buf, end, buf.length - end));
                if (n < 0) {
                    eof = true;
                } else {
                    end += n;
                }
                int limit;
                if (eof) {
                    limit = end;
                } else {
                    int nl = Bytes.lastNewline(buf, start, end);
                    if (nl < 0) {
                        continue; // no complete line yet: read more
                    }
                    limit = nl + 1;
                }
                region(start, limit);
                start = limit;
                if (eof) {
                    break;
                }
            }
        } catch (IOException e) {
            throw FsException.from(e, path);
        }
        // A file without matches gives no result either way, so only now is it worth knowing
        // whether the rest of what was read holds a NUL.
        if (matches != null && Bytes.indexOf(buf, scanned, end, (byte) 0) >= 0) {
            return BINARY;
        }
        return matches;
    }

    /** The line number of the line holding buffer position {@code p} (p never decreases). */
    private long line(int p) {
        baseLine += Bytes.countNewlines(buf, base, p);
        base = p;
        return baseLine;
    }

    /**
     * Moves the unprocessed bytes, and the lines kept for before-context, to the buffer's start.
     * Returns false if the bytes let go of held a NUL (the file is binary).
     */
    private boolean compact() {
        int from = start;
        for (int k = 0; k < context && from > keep; k++) {
            int nl = Bytes.lastNewline(buf, keep, from - 1);
            from = nl < 0 ? keep : nl + 1;
        }
        if (from > 0) {
            if (scanned < from && Bytes.indexOf(buf, scanned, from, (byte) 0) >= 0) {
                return false;
            }
            if (base < from) {
                line(from);
            }
            System.arraycopy(buf, from, buf, 0, end - from);
            start -= from;
            end -= from;
            base -= from;
            scanned = Math.max(0, scanned - from);
            keep = 0;
        }
        return true;
    }

    private void region(int from, int to) {
        int pos = from;
        while (pos < to) {
            if (stopMatching && pending.isEmpty()) {
                done = true;
                start = to;
                return;
            }
            if (pre != null && pending.isEmpty()) {
                int c = pre.find(buf, pos, to);
                if (c < 0) {
                    return;
                }
                int nl = Bytes.lastNewline(buf, pos, c);
                pos = nl < 0 ? pos : nl + 1;
            }
            int nl = Bytes.indexOf(buf, pos, to, (byte) '\n');
            int le = nl < 0 ? to : nl;
            int te = le > pos && buf[le - 1] == '\r' ? le - 1 : le;
            if (!pending.isEmpty()) {
                byte[] text = Arrays.copyOfRange(buf, pos, te);
                for (int k = pending.size() - 1; k >= 0; k--) {
                    Match m = pending.get(k);
                    m.after.add(text);
                    if (--m.afterLeft == 0) {
                        pending.remove(k);
                    }
                }
            }
            if (!stopMatching) {
                Match m = match(pos, te);
                if (m != null) {
                    m.line = line(pos);
                    if (context > 0) {
                        m.before = before(pos);
                        m.after = new ArrayList<>(context);
                        m.afterLeft = context;
                        pending.add(m);
                    }
                    if (matches == null) {
                        matches = new ArrayList<>();
                    }
                    matches.add(m);
                    if (matches.size() >= maxCount) {
                        stopMatching = true;
                    }
                }
            }
            pos = nl < 0 ? to : nl + 1;
        }
    }

    /** Up to {@code context} lines before the line starting at {@code ls}, oldest first. */
    private byte[][] before(int ls) {
        byte[][] out = new byte[context][];
        int n = 0;
        int lineEnd = ls - 1; // the '\n' ending the previous line
        while (n < context && lineEnd >= keep && lineEnd >= 0) {
            int nl = Bytes.lastNewline(buf, keep, lineEnd);
            int s = nl < 0 ? keep : nl + 1;
            int te = lineEnd > s && buf[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            out[context - 1 - n] = Arrays.copyOfRange(buf, s, te);
            n++;
            lineEnd = s - 1;
        }
        return Arrays.copyOfRange(out, context - n, context);
    }

    /** The match on line {@code buf[s, e)}, or null. */
    private Match match(int s, int e) {
        if (pure) {
            int c = pre.find(buf, s, e);
            if (c < 0) {
                return null;
            }
            Match m = new Match();
            m.start = c - s;
            m.end = m.start + pureLit.length;
            int[] more = null;
            int nm = 0;
            int p = c + pureLit.length;
            while (p < e && (c = pre.find(buf, p, e)) >= 0) {
                if (more == null || nm + 2 > more.length) {
                    more = more == null ? new int[8] : Arrays.copyOf(more, more.length * 2);
                }
                more[nm++] = c - s;
                more[nm++] = c - s + pureLit.length;
                p = c + pureLit.length;
            }
            m.more = more == null ? null : Arrays.copyOf(more, nm);
            m.text = Arrays.copyOfRange(buf, s, e);
            return m;
        }
        if (pre != null && pre.find(buf, s, e) < 0) {
            return null;
        }
        byte[] line = Arrays.copyOfRange(buf, s, e);
        matcher.reset(line);
        if (!matcher.find()) {
            return null;
        }
        Match m = new Match();
        m.text = line;
        m.start = matcher.start();
        m.end = matcher.end();
        int[] more = null;
        int nm = 0;
        int lastEnd = m.end;
        int lastStart = m.start;
        while (matcher.find()) {
            int ms = matcher.start();
            int me = matcher.end();
            if (ms == me && ms == lastEnd) {
                continue; // an empty match right after the previous one is not a new match (Rust find_iter)
            }
            if (ms == lastStart && me == lastEnd) {
                break; // safety: no progress
            }
            if (more == null || nm + 2 > more.length) {
                more = more == null ? new int[8] : Arrays.copyOf(more, more.length * 2);
            }
            more[nm++] = ms;
            more[nm++] = me;
            lastStart = ms;
            lastEnd = me;
        }
        m.more = more == null ? null : Arrays.copyOf(more, nm);
        return m;
    }
}
