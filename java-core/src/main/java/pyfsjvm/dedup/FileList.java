package pyfsjvm.dedup;

import java.util.Arrays;

/** The candidate files of a dedup run in columns: path bytes and the stat fields the stages use. */
final class FileList {
    byte[][] path = new byte[16][];
    long[] size = new long[16];
    long[] dev = new long[16];
    long[] ino = new long[16];
    long[] mtimeSec = new long[16];
    long[] mtimeNsec = new long[16];
    int count;

    void add(byte[] p, long sz, long dv, long in, long mSec, long mNsec) {
        if (count == path.length) {
            int cap = count * 2;
            path = Arrays.copyOf(path, cap);
            size = Arrays.copyOf(size, cap);
            dev = Arrays.copyOf(dev, cap);
            ino = Arrays.copyOf(ino, cap);
            mtimeSec = Arrays.copyOf(mtimeSec, cap);
            mtimeNsec = Arrays.copyOf(mtimeNsec, cap);
        }
        int i = count++;
        path[i] = p;
        size[i] = sz;
        dev[i] = dv;
        ino[i] = in;
        mtimeSec[i] = mSec;
        mtimeNsec[i] = mNsec;
    }

    /** True when rows {@code a} and {@code b} are the same inode. */
    boolean sameInode(int a, int b) {
        return dev[a] == dev[b] && ino[a] == ino[b];
    }
}
