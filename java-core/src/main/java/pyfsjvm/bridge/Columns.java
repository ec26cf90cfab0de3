package pyfsjvm.bridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds one batch for Python: a few primitive columns plus a blob of NUL-separated raw paths,
 * packed little-endian into a single byte[] that Python decodes with memoryview casts
 * (pyfs_jvm/_bridge.py, {@code Batch}). One bridge crossing per batch, never per entry.
 *
 * <p>Layout: {@code u32 rows, u32 ncols}, then per column {@code u8 kind ('q' int64, 'i' int32,
 * 'B' uint8, 's' NUL-separated bytes), u8 pad[3], u32 byteLength}, then the column bodies in order,
 * each padded to 8 bytes. String columns hold {@code rows} items, each followed by a NUL.
 */
public final class Columns {
    private final char[] kinds;
    private final long[][] longs;
    private final int[][] ints;
    private final byte[][] bytes;
    private final byte[][] blobs;
    private final int[] blobLen;
    private int rows;

    /** {@code layout} is one character per column, e.g. "sqiB". */
    public Columns(String layout, int capacity) {
        kinds = layout.toCharArray();
        longs = new long[kinds.length][];
        ints = new int[kinds.length][];
        bytes = new byte[kinds.length][];
        blobs = new byte[kinds.length][];
        blobLen = new int[kinds.length];
        int cap = Math.max(16, capacity);
        for (int c = 0; c < kinds.length; c++) {
            switch (kinds[c]) {
                case 'q' -> longs[c] = new long[cap];
                case 'i' -> ints[c] = new int[cap];
                case 'B' -> bytes[c] = new byte[cap];
                case 's' -> blobs[c] = new byte[cap * 32];
                default -> throw new IllegalArgumentException("unknown column kind " + kinds[c]);
            }
        }
    }

    public int rows() {
        return rows;
    }

    /** Starts a new row; the caller then sets every column of it. */
    public int addRow() {
        int r = rows++;
        for (int c = 0; c < kinds.length; c++) {
            if (longs[c] != null && r >= longs[c].length) {
                longs[c] = Arrays.copyOf(longs[c], r * 2);
            } else if (ints[c] != null && r >= ints[c].length) {
                ints[c] = Arrays.copyOf(ints[c], r * 2);
            } else if (bytes[c] != null && r >= bytes[c].length) {
                bytes[c] = Arrays.copyOf(bytes[c], r * 2);
            }
        }
        return r;
    }

    public void setLong(int col, int row, long v) {
        longs[col][row] = v;
    }

    public void setInt(int col, int row, int v) {
        ints[col][row] = v;
    }

    public void setByte(int col, int row, byte v) {
        bytes[col][row] = v;
    }

    /** Appends {@code b[off, off+len)} then a NUL to string column {@code col}. */
    public void putString(int col, byte[] b, int off, int len) {
        ensureBlob(col, len + 1);
        System.arraycopy(b, off, blobs[col], blobLen[col], len);
        blobLen[col] += len;
        blobs[col][blobLen[col]++] = 0;
    }

    /**
     * Appends the path {@code dir + "/" + name} (no '/' when {@code dir} already ends with one,
     * as a root "/x/" gives "/x/a") then a NUL, without building the path first.
     */
    public void putPath(int col, byte[] dir, byte[] name, int nOff, int nLen) {
        boolean sep = dir.length > 0 && dir[dir.length - 1] != '/';
        int total = dir.length + (sep ? 1 : 0) + nLen;
        ensureBlob(col, total + 1);
        byte[] blob = blobs[col];
        int p = blobLen[col];
        System.arraycopy(dir, 0, blob, p, dir.length);
        p += dir.length;
        if (sep) {
            blob[p++] = '/';
        }
        System.arraycopy(name, nOff, blob, p, nLen);
        p += nLen;
        blob[p++] = 0;
        blobLen[col] = p;
    }

    private void ensureBlob(int col, int extra) {
        if (blobLen[col] + extra > blobs[col].length) {
            blobs[col] = Arrays.copyOf(blobs[col], Math.max(blobs[col].length * 2, blobLen[col] + extra));
        }
    }

    /** Approximate size of the packed batch, to decide when to flush. */
    public long bytes() {
        long n = 0;
        for (int c = 0; c < kinds.length; c++) {
            n += kinds[c] == 's' ? blobLen[c] : (long) rows * width(kinds[c]);
        }
        return n;
    }

    private static int width(char k) {
        return k == 'q' ? 8 : k == 'i' ? 4 : 1;
    }

    /** Packs the batch into a new array and resets this builder for the next one. */
    public byte[] pack() {
        return pack(byte[]::new);
    }

    /**
     * Packs the batch into an array from {@code alloc} (given the size needed; it may return a
     * longer one, e.g. a recycled {@link Stream} buffer) and resets this builder.
     */
    public byte[] pack(java.util.function.IntFunction<byte[]> alloc) {
        int header = 8 + 8 * kinds.length;
        long total = header;
        int[] len = new int[kinds.length];
        for (int c = 0; c < kinds.length; c++) {
            len[c] = kinds[c] == 's' ? blobLen[c] : rows * width(kinds[c]);
            total += pad8(len[c]);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("batch too large: " + total);
        }
        byte[] array = alloc.apply((int) total);
        ByteBuffer bb = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(rows).putInt(kinds.length);
        for (int c = 0; c < kinds.length; c++) {
            bb.put((byte) kinds[c]).put((byte) 0).put((byte) 0).put((byte) 0).putInt(len[c]);
        }
        for (int c = 0; c < kinds.length; c++) {
            int start = bb.position();
            switch (kinds[c]) {
                case 'q' -> bb.asLongBuffer().put(longs[c], 0, rows);
                case 'i' -> bb.asIntBuffer().put(ints[c], 0, rows);
                case 'B' -> bb.put(bytes[c], 0, rows);
                default -> bb.put(blobs[c], 0, blobLen[c]);
            }
            bb.position(start + pad8(len[c]));
            blobLen[c] = 0;
        }
        rows = 0;
        return array;
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }
}
