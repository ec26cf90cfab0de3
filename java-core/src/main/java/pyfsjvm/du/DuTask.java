package pyfsjvm.du;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.ErrorBatch;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disk usage of a tree, the way {@code du} counts it: every entry's apparent size
 * ({@code st_size}) and allocated size ({@code st_blocks * 512}), the root included, each inode
 * once however many hard links (or, when following symlinks, paths) reach it. Also, per
 * directory, the regular files below it (their count and apparent bytes: pyfs-watcher's
 * {@code size}) and the directories below it.
 *
 * <p>The walk is unordered and parallel ({@link Walker#walkUnordered}). Each directory's node is
 * made when its parent is read (the walker's tagger hands it to the directory's visit, on whatever
 * thread), so the tree is built without a shared map; each node's totals are summed into its
 * ancestors at the end. Which of several hard links gets the inode depends on the walk's timing;
 * the totals do not.
 */
public final class DuTask extends Task<byte[][]> {
    private final WalkSpec spec;
    private final Glob glob;
    private final boolean skipHidden;
    private final long fileThreshold;
    private final Set<Inode> seen = ConcurrentHashMap.newKeySet();
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());
    private final boolean hasBlocks = Platform.get().hasBlocks();

    /**
     * @param fileThreshold regular files at least this large are listed individually (files at
     *                      depth 1 always are)
     */
    DuTask(WalkSpec spec, Glob glob, boolean skipHidden, long fileThreshold) {
        this.spec = spec;
        this.glob = glob;
        this.skipHidden = skipHidden;
        this.fileThreshold = fileThreshold;
    }

    private record Inode(long dev, long ino) {}

    /** A listed file: its name, size and whether it was counted (not a repeat hard link). */
    private record FileRow(byte[] name, long size, long allocated) {}

    /**
     * One directory's own numbers (entries directly in it), summed up the tree at the end. Written
     * by the thread that reads its parent (when it is made) and then by the one that visits it;
     * the walk's end publishes everything to {@link #pack}.
     */
    private static final class Node {
        final byte[] name;
        final int depth;
        final Node parent;
        final List<Node> kids = new ArrayList<>();
        long files;
        long fileBytes;
        long apparent;
        long allocated;
        long dirs;
        List<FileRow> listed;
        int index;

        Node(byte[] name, int depth, Node parent) {
            this.name = name;
            this.depth = depth;
            this.parent = parent;
        }
    }

    /**
     * Whether this entry's inode is counted here: a non-directory with several links, or anything
     * reached by following symlinks, only the first time. Directories are never hard links, so
     * without following they are always counted (as GNU du does).
     */
    private boolean firstTime(Stat st) {
        if (spec.follows()) {
            return seen.add(new Inode(st.dev, st.ino));
        }
        return st.nlink <= 1 || st.type == FileType.DIR || seen.add(new Inode(st.dev, st.ino));
    }

    /** A child directory's node, its own inode counted (if first seen) from the parent's listing. */
    private Node child(Node parent, DirListing l, int i, Stat st) {
        Node c = new Node(l.name(i), parent.depth + 1, parent);
        if (firstTime(st)) {
            c.apparent = st.size;
            c.allocated = Math.max(0, st.blocks) * 512;
        }
        parent.kids.add(c);
        return c;
    }

    /**
     * Result: {nodes, errors}. nodes {@code "sqiBqqqqq"}: name (the root's is empty), parent row
     * (-1 for the root), kind (0 directory, 1 file), depth, then cumulative file count, file bytes,
     * apparent bytes, allocated bytes (-1 when the platform cannot tell), directories below.
     * Directories come parents first (by depth; within a depth, by parent, then name), then each
     * directory's listed files.
     */
    @Override
    protected byte[][] compute() throws Exception {
        byte[] rootPath = spec.root();
        Node root = new Node(new byte[0], 0, null);
        Stat rst = new Stat();
        Platform.get().stat(rootPath, true, rst);
        root.apparent += rst.size;
        root.allocated += Math.max(0, rst.blocks) * 512;
        seen.add(new Inode(rst.dev, rst.ino));
        if (spec.maxDepth() == 0) {
            return new byte[][] {pack(root), ErrorBatch.pack(errors)}; // the root's own inode only
        }
        spec.tagger((parent, i) -> {
            Stat st = new Stat();
            parent.listing().stat(i, st);
            return child(parent.depth() == 0 ? root : (Node) parent.tag(), parent.listing(), i, st);
        });
        Walker.walkUnordered(spec, cancel, new Walker.DirVisitor() {
            @Override
            public void directory(Dir d) {
                visit(d, d.depth() == 0 ? root : (Node) d.tag());
            }

            @Override
            public void error(FsException e) {
                errors.add(e);
            }
        });
        cancel.check();
        return new byte[][] {pack(root), ErrorBatch.pack(errors)};
    }

    private void visit(Dir d, Node self) {
        DirListing l = d.listing();
        Stat st = new Stat();
        long files = 0, fileBytes = 0, apparent = 0, allocated = 0, dirs = 0;
        for (int i = 0, n = l.count(); i < n; i++) {
            if (skipHidden && l.isHidden(i)) {
                continue;
            }
            String errno = l.errno(i);
            if (errno != null && l.link(i) != DirListing.BROKEN) {
                continue; // vanished, or its stat failed (the walker reports that)
            }
            l.stat(i, st);
            byte type = l.type(i);
            if (type == FileType.DIR) {
                dirs++;
                if (!d.descends(i)) {
                    child(self, l, i, st); // not read (max_depth, a loop): its own inode only
                }
                continue;
            }
            if (type == FileType.FILE && glob != null && !glob.matches(l.nameArray(), l.nameStart(i), l.nameLength(i))) {
                continue;
            }
            boolean counted = firstTime(st);
            long alloc = Math.max(0, st.blocks) * 512;
            if (type == FileType.FILE) {
                if (d.depth() == 0 || st.size >= fileThreshold) {
                    if (self.listed == null) {
                        self.listed = new ArrayList<>();
                    }
                    self.listed.add(new FileRow(l.name(i), counted ? st.size : 0, counted ? alloc : 0));
                }
                if (counted) {
                    files++;
                    fileBytes += st.size;
                }
            }
            if (counted) {
                apparent += st.size;
                allocated += alloc;
            }
        }
        self.files += files;
        self.fileBytes += fileBytes;
        self.apparent += apparent;
        self.allocated += allocated;
        self.dirs += dirs;
    }

    private byte[] pack(Node root) {
        // Breadth first, each directory's subdirectories by name: parents before children, and
        // the same layout every run.
        List<Node> all = new ArrayList<>();
        all.add(root);
        for (int k = 0; k < all.size(); k++) {
            List<Node> kids = all.get(k).kids;
            kids.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
            all.addAll(kids);
        }
        // sum children into parents, deepest first
        for (int k = all.size() - 1; k >= 0; k--) {
            Node n = all.get(k);
            if (n.parent != null) {
                n.parent.files += n.files;
                n.parent.fileBytes += n.fileBytes;
                n.parent.apparent += n.apparent;
                n.parent.allocated += n.allocated;
                n.parent.dirs += n.dirs;
            }
        }
        Columns c = new Columns("sqiBqqqqq", all.size());
        int row = 0;
        for (Node n : all) {
            n.index = row++;
            c.addRow();
            c.putString(0, n.name, 0, n.name.length);
            c.setLong(1, n.index, n.parent == null ? -1 : n.parent.index);
            c.setInt(2, n.index, n.depth);
            c.setByte(3, n.index, (byte) 0);
            c.setLong(4, n.index, n.files);
            c.setLong(5, n.index, n.fileBytes);
            c.setLong(6, n.index, n.apparent);
            c.setLong(7, n.index, hasBlocks ? n.allocated : -1);
            c.setLong(8, n.index, n.dirs);
        }
        for (Node n : all) {
            if (n.listed == null) {
                continue;
            }
            n.listed.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
            for (FileRow f : n.listed) {
                int r = row++;
                c.addRow();
                c.putString(0, f.name(), 0, f.name().length);
                c.setLong(1, r, n.index);
                c.setInt(2, r, n.depth + 1);
                c.setByte(3, r, (byte) 1);
                c.setLong(4, r, 1);
                c.setLong(5, r, f.size());
                c.setLong(6, r, f.size());
                c.setLong(7, r, hasBlocks ? f.allocated() : -1);
                c.setLong(8, r, 0);
            }
        }
        return c.pack();
    }
}
