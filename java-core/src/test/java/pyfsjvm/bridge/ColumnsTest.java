package pyfsjvm.bridge;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The batch layout Python decodes (pyfs_jvm/_bridge.py Batch). */
class ColumnsTest {
    @Test
    void layout() {
        Columns c = new Columns("sqiB", 2);
        for (int r = 0; r < 40; r++) { // grows past its capacity
            int row = c.addRow();
            byte[] name = ("n" + r).getBytes(StandardCharsets.UTF_8);
            c.putPath(0, "/d".getBytes(StandardCharsets.UTF_8), name, 0, name.length);
            c.setLong(1, row, 1L << 40 | r);
            c.setInt(2, row, -r);
            c.setByte(3, row, (byte) r);
        }
        byte[] b = c.pack();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(40, bb.getInt(0));
        assertEquals(4, bb.getInt(4));
        int header = 8 + 8 * 4;
        int pathsLen = bb.getInt(8 + 4);
        String paths = new String(b, header, pathsLen, StandardCharsets.UTF_8);
        assertEquals("/d/n0\0/d/n1\0", paths.substring(0, 12));
        int longs = header + ((pathsLen + 7) & ~7);
        assertEquals(1L << 40 | 39, bb.getLong(longs + 39 * 8));
        assertEquals(-39, bb.getInt(longs + 40 * 8 + 39 * 4));
        assertEquals(0, c.rows()); // reset for the next batch
    }

    @Test
    void rootEndingInSlashIsNotDoubled() {
        Columns c = new Columns("s", 1);
        c.addRow();
        c.putPath(0, new byte[] {'/'}, new byte[] {'x'}, 0, 1);
        byte[] b = c.pack();
        assertEquals("/x\0", new String(b, 16, 3, StandardCharsets.UTF_8));
    }
}
