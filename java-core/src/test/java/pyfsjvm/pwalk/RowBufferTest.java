package pyfsjvm.pwalk;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RowBufferTest {
    private static String text(RowBuffer b) {
        return new String(b.buf, 0, b.len, StandardCharsets.ISO_8859_1);
    }

    @Test
    void numbers() {
        RowBuffer b = new RowBuffer(16);
        b.ensure(200);
        b.num(0);
        b.put((byte) ',');
        b.num(-1);
        b.put((byte) ',');
        b.num(Long.MIN_VALUE);
        b.put((byte) ',');
        b.unum(-1L);
        b.put((byte) ',');
        b.unum(1234567890123L);
        assertEquals("0,-1,-9223372036854775808,18446744073709551615,1234567890123", text(b));
    }

    /** Every digit count and the values around each power of ten, against Long.toString. */
    @Test
    void numbersAgreeWithToString() {
        java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(Long.MAX_VALUE, Long.MIN_VALUE + 1));
        for (long p = 1; ; p *= 10) { // 1, 10, ..., 10^18
            for (long v : new long[] {p - 1, p, p + 1, 2 * p - 1}) {
                values.add(v);
                values.add(-v);
            }
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 10000; i++) {
            values.add(rnd.nextLong() >> rnd.nextInt(64));
        }
        for (long v : values) {
            RowBuffer b = new RowBuffer(4);
            b.ensure(32);
            b.num(v);
            assertEquals(Long.toString(v), text(b), "num " + v);
            b = new RowBuffer(4);
            b.ensure(32);
            b.unum(v);
            assertEquals(Long.toUnsignedString(v), text(b), "unum " + v);
        }
    }

    /** The SWAR eight-digit block on every value below 10^5 and a dense stride up to 10^8. */
    @Test
    void eightDigitBlocks() {
        byte[] out = new byte[8];
        java.lang.invoke.VarHandle le = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
                java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long v = 0; v < 100_000_000L; v += v < 100_000 ? 1 : 997) {
            le.set(out, 0, RowBuffer.eightDigits(v));
            assertEquals(String.format("%08d", v), new String(out, StandardCharsets.US_ASCII));
        }
        le.set(out, 0, RowBuffer.eightDigits(99_999_999L));
        assertEquals("99999999", new String(out, StandardCharsets.US_ASCII));
    }

    @Test
    void cachedFieldsWriteWhatUnumWrites() {
        // repeats and changes in every slot, interleaved, including the 20-digit values and zero
        java.util.Random rnd = new java.util.Random(9);
        long[] pool = {0, 7, 10, 1796513705L, 1796513706L, 65024, -1L, Long.MIN_VALUE, 4_294_967_295L};
        RowBuffer cached = new RowBuffer(16);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            int slot = rnd.nextInt(5);
            long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : pool[rnd.nextInt(pool.length)];
            cached.ensure(64);
            cached.cached(slot, v);
            cached.put((byte) ',');
            expected.append(Long.toUnsignedString(v)).append(',');
        }
        assertEquals(expected.toString(), text(cached));
    }

    @Test
    void octalModes() {
        RowBuffer b = new RowBuffer(64);
        b.octal(0100644, 0);
        b.put((byte) ' ');
        b.octal(040755, 7);
        b.put((byte) ' ');
        b.octal(0120777, 0);
        assertEquals("100644 0040755 120777", text(b));
    }

    @Test
    void quotingDoublesQuotesOnly() {
        RowBuffer b = new RowBuffer(4);
        byte[] name = "we\"ird,na\nme".getBytes(StandardCharsets.ISO_8859_1);
        b.quoted(name, 0, name.length);
        assertEquals("\"we\"\"ird,na\nme\"", text(b));
    }

    @Test
    void utf8EscapesOnlyInvalidBytes() {
        RowBuffer b = new RowBuffer(4);
        byte[] name = {'a', (byte) 0xff, 'b', (byte) 0xc3, (byte) 0xa9, '"', (byte) 0xe2, (byte) 0x98, (byte) 0x83,
            (byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xc3};
        b.quotedUtf8(name, 0, name.length);
        assertEquals("\"a\\xffb\u00c3\u00a9\"\"\u00e2\u0098\u0083\\xed\\xa0\\x80\\xc3\"", text(b));
    }
}
