package pyfsjvm.walk;

import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.Platform;

/**
 * What to walk and how. Filters that only decide what a caller reports (globs, file types) are
 * the caller's business; this decides what is read: depth, symlinks, hidden pruning, extra pruning.
 */
public final class WalkSpec {
    /** Decides whether entry {@code i} of {@code parent}, a directory, is descended into. */
    @FunctionalInterface
    public interface Prune {
        boolean skip(Dir parent, int i);
    }

    /** Attaches caller data to a child directory when it is found (see {@link Dir#tag()}). */
    @FunctionalInterface
    public interface Tagger {
        Object tag(Dir parent, int i);
    }

    final byte[] root;
    int maxDepth = Integer.MAX_VALUE;
    boolean follow;
    boolean sort;
    boolean skipHidden;
    boolean stat = true;
    boolean sizesOnly;
    int threads = Workers.io();
    long bufferedEntries = 1 << 16;
    Prune prune;
    Tagger tagger;
    Platform platform = Platform.get();

    public WalkSpec(byte[] root) {
        this.root = root.clone();
    }

    /**
     * Entries deeper than {@code depth} are not reported and directories at {@code depth} are not
     * read. The root is depth 0, its children depth 1. Negative means unlimited.
     */
    public WalkSpec maxDepth(int depth) {
        maxDepth = depth < 0 ? Integer.MAX_VALUE : depth;
        return this;
    }

    /** Follow symlinks: entries take their target's type and stat; loops are detected and reported. */
    public WalkSpec follow(boolean on) {
        follow = on;
        return this;
    }

    /** Sort siblings by name bytes (per directory, like jwalk's sort). */
    public WalkSpec sort(boolean on) {
        sort = on;
        return this;
    }

    /** Neither report nor descend entries whose name starts with '.'. */
    public WalkSpec skipHidden(boolean on) {
        skipHidden = on;
        return this;
    }

    /** Stat every entry (sizes, modes, inodes...). Without it only types are known. */
    public WalkSpec stat(boolean on) {
        stat = on;
        return this;
    }

    /**
     * Of the stat fields, only sizes are wanted (and inode/device, for loop detection): listings
     * keep 3 longs per entry instead of 14, a walk's largest allocation.
     */
    public WalkSpec sizesOnly(boolean on) {
        sizesOnly = on;
        return this;
    }

    /** Directory-reading threads besides the caller's. 0 reads everything on the caller's thread. */
    public WalkSpec threads(int n) {
        threads = Math.max(0, n);
        return this;
    }

    /** Cap on entries read ahead of the consumer (memory bound for huge trees). */
    public WalkSpec bufferedEntries(long n) {
        bufferedEntries = Math.max(1, n);
        return this;
    }

    /** Extra pruning, e.g. pwalk's ".snapshot" directories. */
    public WalkSpec prune(Prune p) {
        prune = p;
        return this;
    }

    /**
     * Called for entry {@code i} of {@code parent} when it becomes a directory to descend, before
     * any thread can read it: what it returns is that directory's {@link Dir#tag()}. Lets a caller
     * carry the entry's own stat (read with the parent) down to the directory's visit, which may
     * happen on another thread, in any order.
     */
    public WalkSpec tagger(Tagger t) {
        tagger = t;
        return this;
    }

    /** The platform layer to read with (tests inject faults through this). */
    public WalkSpec platform(Platform p) {
        platform = p;
        return this;
    }

    public byte[] root() {
        return root.clone();
    }

    public int maxDepth() {
        return maxDepth;
    }

    public boolean follows() {
        return follow;
    }

    boolean hidden(DirListing l, int i) {
        return skipHidden && l.isHidden(i);
    }
}
