package pyfsjvm.search;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte scanning eight bytes at a time (SWAR: "SIMD within a register"), portable to every JDK >= 17.
 * The searcher spends most of its time here: finding the next newline, counting newlines between
 * two matches, looking for NUL (binary files) and for the prefilter's anchor bytes.
 *
 * <p>Each loop reads a little-endian long, XORs it with the wanted byte broadcast to all lanes, and
 * tests for a zero lane. {@link #zeroLanes} is exact (no false positives), so its lowest set bit is
 * the first match in memory order.
 */
final class Bytes {
    private Bytes() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    static final long NL = 0x0A0A0A0A0A0A0A0AL;

    static long broadcast(byte b) {
        return (b & 0xFFL) * 0x0101010101010101L;
    }

    /** The high bit of each lane that is zero in {@code x}, and no other bit. */
    static long zeroLanes(long x) {
        long y = ((x & LOW7) + LOW7) | x;
        return ~(y | LOW7);
    }

    static long word(byte[] a, int i) {
        return (long) LONGS.get(a, i);
    }

    /** First index of {@code b} in {@code a[from, to)}, or -1. */
    static int indexOf(byte[] a, int from, int to, byte b) {
        long pat = broadcast(b);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long z = zeroLanes(word(a, i) ^ pat);
            if (z != 0) {
                return i + (Long.numberOfTrailingZeros(z) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** First index in {@code a[from, to)} whose byte is set in {@code table}, or -1. */
    static int indexOfTable(byte[] a, int from, int to, boolean[] table) {
        for (int i = from; i < to; i++) {
            if (table[a[i] & 0xFF]) {
                return i;
            }
        }
        return -1;
    }

    /** Last index of '\n' in {@code a[from, to)}, or -1. */
    static int lastNewline(byte[] a, int from, int to) {
        int i = to;
        for (; i - 8 >= from; i -= 8) {
            long z = zeroLanes(word(a, i - 8) ^ NL);
            if (z != 0) {
                return i - 8 + ((63 - Long.numberOfLeadingZeros(z)) >>> 3);
            }
        }
        for (i--; i >= from; i--) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Number of '\n' bytes in {@code a[from, to)}. */
    static int countNewlines(byte[] a, int from, int to) {
        int n = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            n += Long.bitCount(zeroLanes(word(a, i) ^ NL));
        }
        for (; i < to; i++) {
            if (a[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
