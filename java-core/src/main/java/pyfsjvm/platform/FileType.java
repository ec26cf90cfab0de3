package pyfsjvm.platform;

/** File type codes as they cross the bridge (one byte per entry). */
public final class FileType {
    private FileType() {}

    public static final byte UNKNOWN = 0;
    public static final byte FILE = 1;
    public static final byte DIR = 2;
    public static final byte SYMLINK = 3;
    public static final byte FIFO = 4;
    public static final byte SOCKET = 5;
    public static final byte CHAR_DEVICE = 6;
    public static final byte BLOCK_DEVICE = 7;

    /** The type encoded in an {@code st_mode}. */
    public static byte fromMode(int mode) {
        switch (mode & 0xF000) {
            case 0x8000: return FILE;
            case 0x4000: return DIR;
            case 0xA000: return SYMLINK;
            case 0x1000: return FIFO;
            case 0xC000: return SOCKET;
            case 0x2000: return CHAR_DEVICE;
            case 0x6000: return BLOCK_DEVICE;
            default: return UNKNOWN;
        }
    }

    /** The type from a Linux {@code d_type} (DT_* constants). */
    public static byte fromDirentType(int dType) {
        switch (dType) {
            case 8: return FILE;
            case 4: return DIR;
            case 10: return SYMLINK;
            case 1: return FIFO;
            case 12: return SOCKET;
            case 2: return CHAR_DEVICE;
            case 6: return BLOCK_DEVICE;
            default: return UNKNOWN;
        }
    }

    /** The {@code st_mode} type bits for a type code (used where only the type is known). */
    public static int modeBits(byte type) {
        switch (type) {
            case FILE: return 0x8000;
            case DIR: return 0x4000;
            case SYMLINK: return 0xA000;
            case FIFO: return 0x1000;
            case SOCKET: return 0xC000;
            case CHAR_DEVICE: return 0x2000;
            case BLOCK_DEVICE: return 0x6000;
            default: return 0;
        }
    }
}
