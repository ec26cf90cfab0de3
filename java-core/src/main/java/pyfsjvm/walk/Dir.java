package pyfsjvm.walk;

import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.DirListing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One directory of a walk: its path (raw bytes, the root exactly as given joined with names),
 * its depth (root = 0) and, once read, its entries. Visitors receive it read-only.
 */
public final class Dir implements Comparable<Dir> {
    static final int PENDING = 0;
    static final int CLAIMED = 1;
    static final int DONE = 2;

    private final byte[] path;
    private final int depth;
    /** Position in depth-first order: the indices of each ancestor's entry down to this one. */
    private final int[] order;
    /** (dev, ino) of this directory and its ancestors, for loop detection when following links. */
    final Ancestry ancestry;
    final AtomicInteger state = new AtomicInteger(PENDING);
    DirListing listing;
    FsException error;
    /** Child directories to descend, by entry index (null entries are not descended). */
    Dir[] children;
    /** Caller data from {@link WalkSpec#tagger}; set before the directory is published. */
    Object tag;

    Dir(byte[] path, int depth, int[] order, Ancestry ancestry) {
        this.path = path;
        this.depth = depth;
        this.order = order;
        this.ancestry = ancestry;
    }

    /** The directory's path as raw bytes (do not modify). */
    public byte[] path() {
        return path;
    }

    public int depth() {
        return depth;
    }

    /** The entries (null if the directory could not be read). */
    public DirListing listing() {
        return listing;
    }

    /** What {@link WalkSpec#tagger} attached when this directory was found (null for the root). */
    public Object tag() {
        return tag;
    }

    /** Whether entry {@code i} is descended by the walk (a directory that is not pruned). */
    public boolean descends(int i) {
        return children != null && children[i] != null;
    }

    /** Why the directory could not be read, or null. */
    public FsException error() {
        return error;
    }

    /** The path of entry {@code i}: this path, a '/' unless it already ends with one, the name. */
    public byte[] childPath(int i) {
        int n = listing.nameLength(i);
        boolean sep = path.length > 0 && path[path.length - 1] != '/';
        byte[] out = new byte[path.length + (sep ? 1 : 0) + n];
        System.arraycopy(path, 0, out, 0, path.length);
        if (sep) {
            out[path.length] = '/';
        }
        System.arraycopy(listing.nameArray(), listing.nameStart(i), out, out.length - n, n);
        return out;
    }

    boolean claim() {
        return state.compareAndSet(PENDING, CLAIMED);
    }

    boolean isDone() {
        return state.get() == DONE;
    }

    int[] order() {
        return order;
    }

    @Override
    public int compareTo(Dir o) {
        int n = Math.min(order.length, o.order.length);
        for (int k = 0; k < n; k++) {
            if (order[k] != o.order[k]) {
                return Integer.compare(order[k], o.order[k]);
            }
        }
        return Integer.compare(order.length, o.order.length);
    }

    /** Immutable chain of directory identities from a directory up to the root. */
    record Ancestry(long dev, long ino, Ancestry parent) {
        boolean contains(long d, long i) {
            for (Ancestry a = this; a != null; a = a.parent) {
                if (a.dev == d && a.ino == i) {
                    return true;
                }
            }
            return false;
        }
    }
}
