package pyfsjvm.pwalk;

import pyfsjvm.platform.Stat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One worker's CSV text, built by hand (no String, no formatter): names stay raw bytes and numbers
 * are written digit by digit, because a report formats tens of millions of fields.
 */
final class RowBuffer {
    byte[] buf;
    int len;
    /**
     * Rows and directories this worker has written, for progress: each worker counts its own, so
     * the workers share no counter. (Shared LongAdders were cheap until the first time two workers
     * added at once; that took the adder's other branch, and C2 threw away writeDirectory, which
     * had it inlined, in the middle of a timed report.)
     */
    volatile long rows;
    volatile long dirs;
    /** The entry whose row is being written: its worker's scratch, like the buffer (no ThreadLocal per row). */
    final Stat entry = new Stat();
    private final byte[] digits = new byte[24];

    RowBuffer(int capacity) {
        buf = new byte[capacity];
    }

    void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    void put(byte b) {
        buf[len++] = b;
    }

    void put(byte[] src) {
        ensure(src.length);
        System.arraycopy(src, 0, buf, len, src.length);
        len += src.length;
    }

    /** Signed decimal. Callers have reserved room (a row reserves a generous fixed amount). */
    void num(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                for (byte c : "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                    buf[len++] = c;
                }
                return;
            }
            buf[len++] = '-';
            v = -v;
        }
        if (v < 10) { // most uids, gids, link counts and counters
            buf[len++] = (byte) ('0' + v);
            return;
        }
        if (v >= 100_000_000L) {
            long high = v / 100_000_000L;
            num(high);
            LONG_LE.set(buf, len, eightDigits(v - high * 100_000_000L));
            len += 8;
            return;
        }
        // Up to eight digits in one store: the leading '0' bytes sit at the low end of the
        // little-endian word, so shifting them out leaves the digits first; the zero bytes stored
        // past the end are overwritten by what follows (callers reserve room for a whole row).
        int digits = digitCount(v);
        LONG_LE.set(buf, len, eightDigits(v) >>> ((8 - digits) << 3));
        len += digits;
    }

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The eight ASCII digits of {@code 0 <= v < 10^8}, most significant first in memory, computed
     * in parallel lanes of one long (SWAR): a report formats some 60 digits per row, and one
     * division per digit pair was most of the formatting time.
     */
    static long eightDigits(long v) {
        long merged = (v / 10_000) | ((v % 10_000) << 32);                 // two 4-digit lanes
        long hundreds = ((merged * 10_486) >>> 20) & 0x0000_007F_0000_007FL; // each lane / 100
        long pairs = hundreds | ((merged - hundreds * 100) << 16);          // four 2-digit lanes
        long tens = ((pairs * 103) >>> 10) & 0x000F_000F_000F_000FL;        // each lane / 10
        return (tens | ((pairs - tens * 10) << 8)) + 0x3030_3030_3030_3030L;
    }

    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /** Decimal digits of {@code 1 <= v < 10^8}. */
    private static int digitCount(long v) {
        int approx = ((64 - Long.numberOfLeadingZeros(v)) * 1233) >>> 12; // bits * log10(2)
        return approx + (v >= POW10[approx] ? 1 : 0);
    }

    /** Memo slots for {@link #cached}: fields that repeat from row to row. */
    static final int PARENT = 0, UID = 1, GID = 2, DEV = 3, TIME = 4;
    private static final int SLOTS = 5;
    private final long[] lastValue = new long[SLOTS];
    /** Each slot's text, 24 bytes per slot (room for the 20 digits of an unsigned 64-bit value). */
    private final byte[] lastText = new byte[SLOTS * 24];
    private final int[] lastLen = new int[SLOTS];

    /**
     * Unsigned decimal through a one-value memo: consecutive rows of a directory mostly share their
     * parent inode, owner, group and device, and the three timestamps of a row (and of its
     * neighbours) are mostly one second, so copying the previous text skips most of the division
     * work. Every timestamp goes through the one {@link #TIME} slot, which catches both repeats.
     * A repeat is copied as three words whatever its length (a byte loop was a tenth of the
     * report's Java time); the bytes past the text are overwritten by what follows, as in
     * {@link #num}. A new value is saved with arraycopy: reading it back as words right after the
     * digits were stored stalls on store forwarding.
     */
    void cached(int slot, long v) {
        int from = slot * 24;
        if (lastLen[slot] > 0 && lastValue[slot] == v) {
            byte[] b = buf;
            int p = len;
            byte[] t = lastText;
            LONG_LE.set(b, p, (long) LONG_LE.get(t, from));
            LONG_LE.set(b, p + 8, (long) LONG_LE.get(t, from + 8));
            LONG_LE.set(b, p + 16, (long) LONG_LE.get(t, from + 16));
            len = p + lastLen[slot];
            return;
        }
        int start = len;
        unum(v);
        int n = len - start;
        System.arraycopy(buf, start, lastText, from, n); // at most 20 digits
        lastLen[slot] = n;
        lastValue[slot] = v;
    }

    /** Unsigned decimal (inode and device numbers use all 64 bits). */
    void unum(long v) {
        if (v >= 0) {
            num(v);
            return;
        }
        long q = (v >>> 1) / 5;
        num(q);
        buf[len++] = (byte) ('0' + (v - q * 10));
    }

    /** Octal, zero-padded to {@code width} digits (0: no padding). */
    void octal(long v, int width) {
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + (v & 7));
            v >>>= 3;
        } while (v != 0);
        for (int k = n; k < width; k++) {
            buf[len++] = '0';
        }
        while (n > 0) {
            buf[len++] = digits[--n];
        }
    }

    /** {@code "..."} with every {@code "} doubled (RFC 4180); all other bytes are copied as they are. */
    void quoted(byte[] src, int off, int n) {
        ensure(2 * n + 2);
        buf[len++] = '"';
        for (int k = off, end = off + n; k < end; k++) {
            byte c = src[k];
            buf[len++] = c;
            if (c == '"') {
                buf[len++] = '"';
            }
        }
        buf[len++] = '"';
    }

    /**
     * Like {@link #quoted}, but a byte that is not part of valid UTF-8 becomes the text
     * {@code \xNN} (Python's backslashreplace), for consumers that insist on UTF-8 (Parquet).
     */
    void quotedUtf8(byte[] src, int off, int n) {
        ensure(4 * n + 2);
        buf[len++] = '"';
        int k = off;
        int end = off + n;
        while (k < end) {
            int c = src[k] & 0xff;
            int seq = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
            if (seq > 1 && !validTail(src, k, seq, end)) {
                seq = 0;
            }
            if (seq == 0) {
                buf[len++] = '\\';
                buf[len++] = 'x';
                buf[len++] = HEX[c >> 4];
                buf[len++] = HEX[c & 15];
                k++;
                continue;
            }
            for (int j = 0; j < seq; j++) {
                byte b = src[k + j];
                buf[len++] = b;
                if (b == '"') {
                    buf[len++] = '"';
                }
            }
            k += seq;
        }
        buf[len++] = '"';
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean validTail(byte[] s, int k, int seq, int end) {
        if (k + seq > end) {
            return false;
        }
        int c0 = s[k] & 0xff;
        int c1 = s[k + 1] & 0xff;
        int lo = 0x80;
        int hi = 0xbf;
        if (c0 == 0xe0) {
            lo = 0xa0;      // overlong
        } else if (c0 == 0xed) {
            hi = 0x9f;      // UTF-16 surrogates
        } else if (c0 == 0xf0) {
            lo = 0x90;      // overlong
        } else if (c0 == 0xf4) {
            hi = 0x8f;      // above U+10FFFF
        }
        if (c1 < lo || c1 > hi) {
            return false;
        }
        for (int j = 2; j < seq; j++) {
            int c = s[k + j] & 0xff;
            if (c < 0x80 || c > 0xbf) {
                return false;
            }
        }
        return true;
    }
}
