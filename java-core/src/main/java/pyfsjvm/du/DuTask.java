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

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disk usage of a tree, the way {@code du} counts it: every entry's apparent size
 * ({@code st_size}) and allocated size ({@code st_blocks * 512}), the root included, each inode
 * once however many hard links (or, when following symlinks, paths) reach it. Also, per
 * directory, the regular files below it (their count and apparent bytes: pyfs-watcher's
 * {@code size}) and the directories below it.
 *
 * <p>The walk is unordered and parallel ({@link Walker#walkUnordered}); each directory's totals
 * are summed into its ancestors at the end. Which of several hard links gets the inode depends on
 * the walk's timing; the totals do not.
 */
public final class DuTask extends Task<byte[][]> {
    private final WalkSpec spec;
    private final Glob glob;
    private final boolean skipHidden;
    private final long fileThreshold;
    private final Map<ByteBuffer, Node> nodes = new ConcurrentHashMap<>();
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

    /** One directory's own numbers (entries directly in it), summed up the tree at the end. */
    private static final class Node {
        final byte[] path;
        final int depth;
        long files;
        long fileBytes;
        long apparent;
        long allocated;
        long dirs;
        boolean read;
        final List<FileRow> listed = new ArrayList<>();
        Node parent;
        int index;

        Node(byte[] path, int depth) {
            this.path = path;
            this.depth = depth;
        }
    }

    private Node node(byte[] path, int depth) {
        return nodes.computeIfAbsent(ByteBuffer.wrap(path), k -> new Node(path, depth));
    }

    private boolean firstTime(Stat st) {
        return (st.nlink <= 1 && !spec.follows()) || seen.add(new Inode(st.dev, st.ino));
    }

    /**
     * Result: {nodes, errors}. nodes {@code "sqiBqqqqq"}: name (the root's is empty), parent row
     * (-1 for the root), kind (0 directory, 1 file), depth, then cumulative file count, file bytes,
     * apparent bytes, allocated bytes (-1 when the platform cannot tell), directories below.
     * Directories come parents first (by depth), each directory's listed files after it.
     */
    @Override
    protected byte[][] compute() throws Exception {
        byte[] rootPath = spec.root();
        Node root = node(rootPath, 0);
        Stat rst = new Stat();
        Platform.get().stat(rootPath, true, rst);
        root.apparent += rst.size;
        root.allocated += Math.max(0, rst.blocks) * 512;
        seen.add(new Inode(rst.dev, rst.ino));
        if (spec.maxDepth() == 0) {
            return new byte[][] {pack(root), ErrorBatch.pack(errors)}; // the root's own inode only
        }
        Walker.walkUnordered(spec, cancel, new Walker.DirVisitor() {
            @Override
            public void directory(Dir d) {
                visit(d);
            }

            @Override
            public void error(FsException e) {
                errors.add(e);
            }
        });
        cancel.check();
        return new byte[][] {pack(root), ErrorBatch.pack(errors)};
    }

    private void visit(Dir d) {
        Node self = node(d.path(), d.depth());
        DirListing l = d.listing();
        Stat st = new Stat();
        long files = 0, fileBytes = 0, apparent = 0, allocated = 0, dirs = 0;
        List<FileRow> listed = null;
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
                if (!firstTime(st)) {
                    continue;
                }
                Node child = node(d.childPath(i), d.depth() + 1);
                synchronized (child) {
                    child.apparent += st.size;
                    child.allocated += Math.max(0, st.blocks) * 512;
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
                    if (listed == null) {
                        listed = new ArrayList<>();
                    }
                    listed.add(new FileRow(l.name(i), counted ? st.size : 0, counted ? alloc : 0));
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
        synchronized (self) {
            self.read = true;
            self.files += files;
            self.fileBytes += fileBytes;
            self.apparent += apparent;
            self.allocated += allocated;
            self.dirs += dirs;
            if (listed != null) {
                self.listed.addAll(listed);
            }
        }
    }

    private byte[] pack(Node root) {
        List<Node> all = new ArrayList<>(nodes.values());
        // parents before children; ties by path for a deterministic layout
        all.sort((a, b) -> a.depth != b.depth ? Integer.compare(a.depth, b.depth) : Arrays.compareUnsigned(a.path, b.path));
        for (Node n : all) {
            if (n != root) {
                n.parent = nodes.get(ByteBuffer.wrap(parentOf(n.path)));
            }
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
            byte[] name = n == root ? new byte[0] : nameOf(n.path);
            c.putString(0, name, 0, name.length);
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

    /** The path without its last component (the walker joins with exactly one '/'). */
    private static byte[] parentOf(byte[] p) {
        int i = p.length - 1;
        while (i > 0 && p[i] != '/') {
            i--;
        }
        return i == 0 && p.length > 0 && p[0] == '/' ? new byte[] {'/'} : Arrays.copyOf(p, i);
    }

    private static byte[] nameOf(byte[] p) {
        int i = p.length - 1;
        while (i >= 0 && p[i] != '/') {
            i--;
        }
        return Arrays.copyOfRange(p, i + 1, p.length);
    }
}
