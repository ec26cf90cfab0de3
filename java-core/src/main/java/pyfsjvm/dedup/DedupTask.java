package pyfsjvm.dedup;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.ErrorBatch;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.ParallelFor;
import pyfsjvm.bridge.ProgressQueue;
import pyfsjvm.bridge.Task;
import pyfsjvm.hash.FileHasher;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.WalkSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The staged duplicate finder (pyfs-watcher's {@code find_duplicates}, minus its bugs):
 *
 * <ol>
 *   <li>collect regular files from the inputs with the shared walker (hidden files included);
 *       the same directory entry reached twice (overlapping inputs, a symlink given as input) is
 *       kept once;</li>
 *   <li>group by size; a size group needs two distinct inodes (hard links are one file);</li>
 *   <li>partial hash: the first and last {@code partialSize} bytes (the whole file when it is
 *       at most twice that, which is then its full hash);</li>
 *   <li>full hash of the files still grouped.</li>
 * </ol>
 *
 * Each hashing stage runs in parallel over one representative path per inode, in (dev, inode)
 * order so reads follow the disk layout as far as the file system allocates inodes in order.
 * A file whose size or mtime changed between the walk and its hash is left out and reported.
 * Progress events are pyfs-watcher's seven calls (stage indices: {@link #STAGES}).
 */
public final class DedupTask extends Task<byte[][]> {
    /** Stage names by index, as the Python side reports them. */
    public static final String[] STAGES = {"collecting", "size_grouping", "partial_hash", "full_hash"};

    private static final int BUFFER = 256 * 1024;

    private final byte[][] inputs;
    private final boolean recursive;
    private final long minSize;
    private final HashAlgorithm algorithm;
    private final long partialSize;
    private final int threads;
    private final ProgressQueue progress = new ProgressQueue();
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());

    DedupTask(byte[][] inputs, boolean recursive, long minSize, HashAlgorithm algorithm, long partialSize,
              int threads) {
        this.inputs = inputs;
        this.recursive = recursive;
        this.minSize = minSize;
        this.algorithm = algorithm;
        this.partialSize = Math.max(1, partialSize);
        this.threads = Math.max(1, threads);
    }

    /** Progress events queued since the last call (see {@link ProgressQueue#drain}). */
    public long[] drainProgress() {
        return progress.drain();
    }

    private void post(int stage, long processed, long total) {
        progress.post(stage, processed, total);
        wake();
    }

    /**
     * Result: {groups, paths, errors} batches. groups {@code "qqs"}: file size, distinct files
     * (inodes), hash hex; sorted by wasted bytes descending, then hash. paths {@code "iis"}: group
     * index, hard-link set (-1, or an id shared by the paths of one inode within the group), path;
     * sorted by group then path bytes. errors {@code "ss"}: path, {@code "ERRNO:reason"}.
     */
    @Override
    protected byte[][] compute() throws Exception {
        post(0, 0, 0);
        FileList files = collect();
        cancel.check();
        dropSameEntries(files);

        post(1, 0, files.count);
        List<int[]> bySize = sizeGroups(files);
        int candidates = countPaths(bySize);
        post(1, candidates, files.count);

        // One unit per inode: units[u] = the rows (paths) of that inode, row 0 the representative.
        List<int[]> units = new ArrayList<>();
        for (int[] g : bySize) {
            units.addAll(inodes(files, g));
        }
        post(2, 0, candidates);
        byte[][] partial = new byte[units.size()][];
        boolean[] complete = new boolean[units.size()];
        hashStage(files, units, partial, complete, true);
        List<int[]> groups = regroup(files, units, partial);
        int partialCount = countUnitPaths(units, groups);
        post(2, partialCount, candidates);

        post(3, 0, partialCount);
        byte[][] full = new byte[units.size()][];
        List<Integer> need = new ArrayList<>();
        for (int[] g : groups) {
            for (int u : g) {
                if (complete[u]) {
                    full[u] = partial[u];
                } else {
                    need.add(u);
                }
            }
        }
        List<int[]> needUnits = new ArrayList<>();
        for (int u : need) {
            needUnits.add(units.get(u));
        }
        byte[][] needFull = new byte[needUnits.size()][];
        hashStage(files, needUnits, needFull, new boolean[needUnits.size()], false);
        for (int k = 0; k < need.size(); k++) {
            full[need.get(k)] = needFull[k];
        }
        List<int[]> survivors = new ArrayList<>();
        for (int[] g : groups) {
            survivors.addAll(regroupWithin(files, units, full, g));
        }
        int dupCount = countUnitPaths(units, survivors);
        post(3, dupCount, partialCount);
        return pack(files, units, full, survivors);
    }

    // ------------------------------------------------------------------ collect

    private FileList collect() throws FsException {
        FileList files = new FileList();
        Platform platform = Platform.get();
        Stat st = new Stat();
        for (byte[] input : inputs) {
            cancel.check();
            try {
                platform.stat(input, true, st);
            } catch (FsException e) {
                errors.add(e); // vanished since Python checked it
                continue;
            }
            if (st.type == FileType.FILE) {
                if (st.size >= minSize) {
                    files.add(input, st.size, st.dev, st.ino, st.mtimeSec, st.mtimeNsec);
                }
            } else if (st.type == FileType.DIR) {
                WalkSpec spec = new WalkSpec(input).maxDepth(recursive ? -1 : 1);
                EntryTable t = EntryTable.collect(spec, EntryTable.FILES, null, cancel);
                errors.addAll(t.errors());
                for (int i = 0; i < t.count(); i++) {
                    if (t.nlink(i) == 0 && t.ino(i) == 0) {
                        continue; // stat failed (already in errors)
                    }
                    if (t.size(i) >= minSize) {
                        files.add(t.path(i), t.size(i), t.dev(i), t.ino(i), t.mtimeSec(i), t.mtimeNsec(i));
                    }
                }
            }
        }
        return files;
    }

    /**
     * Keeps one row per directory entry: rows of one inode are told apart by their real path
     * (symlinks and "." resolved), so hard links stay (they are distinct entries) while the same
     * file reached twice does not. Only inodes seen more than once pay for the real path.
     */
    private void dropSameEntries(FileList f) {
        Integer[] order = boxedRange(f.count);
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(f.dev[a], f.dev[b]);
            c = c != 0 ? c : Long.compare(f.ino[a], f.ino[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        boolean[] drop = new boolean[f.count];
        int dropped = 0;
        for (int s = 0; s < order.length; ) {
            int e = s + 1;
            while (e < order.length && f.sameInode(order[s], order[e])) {
                e++;
            }
            if (e - s > 1) {
                Set<String> seen = new HashSet<>();
                for (int k = s; k < e; k++) {
                    int row = order[k];
                    String key = realPath(f.path[row]);
                    if (!seen.add(key)) {
                        drop[row] = true;
                        dropped++;
                    }
                }
            }
            s = e;
        }
        if (dropped > 0) {
            compact(f, drop);
        }
    }

    private static String realPath(byte[] raw) {
        try {
            Path p = RawPaths.path(raw).toRealPath();
            return new String(RawPaths.bytes(p), StandardCharsets.ISO_8859_1); // bytes 1:1, a map key only
        } catch (IOException | RuntimeException e) {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
    }

    private static void compact(FileList f, boolean[] drop) {
        int w = 0;
        for (int r = 0; r < f.count; r++) {
            if (!drop[r]) {
                f.path[w] = f.path[r];
                f.size[w] = f.size[r];
                f.dev[w] = f.dev[r];
                f.ino[w] = f.ino[r];
                f.mtimeSec[w] = f.mtimeSec[r];
                f.mtimeNsec[w] = f.mtimeNsec[r];
                w++;
            }
        }
        Arrays.fill(f.path, w, f.count, null);
        f.count = w;
    }

    // ------------------------------------------------------------------ grouping

    /** Rows grouped by size, keeping groups with at least two distinct inodes. */
    private static List<int[]> sizeGroups(FileList f) {
        Integer[] order = boxedRange(f.count);
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(f.size[a], f.size[b]);
            c = c != 0 ? c : Long.compare(f.dev[a], f.dev[b]);
            c = c != 0 ? c : Long.compare(f.ino[a], f.ino[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < order.length; ) {
            int e = s + 1;
            boolean twoInodes = false;
            while (e < order.length && f.size[order[e]] == f.size[order[s]]) {
                twoInodes |= !f.sameInode(order[e], order[s]);
                e++;
            }
            if (twoInodes) {
                int[] g = new int[e - s];
                for (int k = s; k < e; k++) {
                    g[k - s] = order[k];
                }
                out.add(g);
            }
            s = e;
        }
        return out;
    }

    /** Splits a size group (sorted by inode) into one row list per inode. */
    private static List<int[]> inodes(FileList f, int[] g) {
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < g.length; ) {
            int e = s + 1;
            while (e < g.length && f.sameInode(g[s], g[e])) {
                e++;
            }
            out.add(Arrays.copyOfRange(g, s, e));
            s = e;
        }
        return out;
    }

    /** Units grouped by (size, digest), keeping groups of at least two units with a digest. */
    private static List<int[]> regroup(FileList f, List<int[]> units, byte[][] digest) {
        int[] all = new int[units.size()];
        for (int u = 0; u < all.length; u++) {
            all[u] = u;
        }
        return regroupWithin(f, units, digest, all);
    }

    private static List<int[]> regroupWithin(FileList f, List<int[]> units, byte[][] digest, int[] members) {
        List<Integer> ok = new ArrayList<>();
        for (int u : members) {
            if (digest[u] != null) {
                ok.add(u);
            }
        }
        ok.sort((a, b) -> {
            int c = Long.compare(f.size[units.get(a)[0]], f.size[units.get(b)[0]]);
            c = c != 0 ? c : Arrays.compareUnsigned(digest[a], digest[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < ok.size(); ) {
            int e = s + 1;
            long size = f.size[units.get(ok.get(s))[0]];
            while (e < ok.size() && f.size[units.get(ok.get(e))[0]] == size
                    && Arrays.equals(digest[ok.get(s)], digest[ok.get(e)])) {
                e++;
            }
            if (e - s > 1) {
                int[] g = new int[e - s];
                for (int k = s; k < e; k++) {
                    g[k - s] = ok.get(k);
                }
                out.add(g);
            }
            s = e;
        }
        return out;
    }

    private static int countPaths(List<int[]> groups) {
        int n = 0;
        for (int[] g : groups) {
            n += g.length;
        }
        return n;
    }

    private static int countUnitPaths(List<int[]> units, List<int[]> groups) {
        int n = 0;
        for (int[] g : groups) {
            for (int u : g) {
                n += units.get(u).length;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ hashing

    /**
     * Hashes one representative of each unit in parallel, in (dev, inode) order. Partial: head and
     * tail blocks, or the whole file when small (then {@code complete[u]} is set). A unit that fails
     * or changed keeps a null digest and its error is recorded.
     */
    private void hashStage(FileList f, List<int[]> units, byte[][] out, boolean[] complete, boolean partial) {
        Integer[] order = boxedRange(units.size());
        Arrays.sort(order, (a, b) -> {
            int ra = units.get(a)[0];
            int rb = units.get(b)[0];
            int c = Long.compare(f.dev[ra], f.dev[rb]);
            return c != 0 ? c : Long.compare(f.ino[ra], f.ino[rb]);
        });
        Cancel c = cancel;
        ParallelFor.run(order.length, threads, c, () -> new Worker(algorithm, c), (w, k) -> {
            int u = order[k];
            int row = units.get(u)[0];
            byte[] raw = f.path[row];
            long size = f.size[row];
            try {
                Path p = RawPaths.path(raw);
                byte[] d;
                if (partial && size > 2 * partialSize) {
                    byte[] head = w.hasher.hashRange(p, 0, partialSize);
                    byte[] tail = w.hasher.hashRange(p, size - partialSize, partialSize);
                    d = Arrays.copyOf(head, head.length + tail.length);
                    System.arraycopy(tail, 0, d, head.length, tail.length);
                } else {
                    d = w.hasher.hashFile(p);
                    complete[u] = true;
                }
                Platform.get().stat(raw, true, w.stat);
                if (w.stat.size != size || w.stat.mtimeSec != f.mtimeSec[row]
                        || w.stat.mtimeNsec != f.mtimeNsec[row] || w.stat.ino != f.ino[row]) {
                    errors.add(FsException.domain("file changed while it was being compared; left out", raw));
                    return;
                }
                out[u] = d;
            } catch (FsException e) {
                errors.add(e);
            }
        });
    }

    private static final class Worker {
        final FileHasher hasher;
        final Stat stat = new Stat();

        Worker(HashAlgorithm a, Cancel c) {
            hasher = new FileHasher(a, BUFFER, c);
        }
    }

    // ------------------------------------------------------------------ result

    private byte[][] pack(FileList f, List<int[]> units, byte[][] full, List<int[]> groups) {
        groups.sort((a, b) -> {
            long sa = f.size[units.get(a[0])[0]];
            long sb = f.size[units.get(b[0])[0]];
            int c = Long.compare(sb * (b.length - 1), sa * (a.length - 1));
            return c != 0 ? c : Arrays.compareUnsigned(full[a[0]], full[b[0]]);
        });
        HexFormat hex = HexFormat.of();
        Columns g = new Columns("qqs", groups.size());
        Columns p = new Columns("iis", groups.size() * 2);
        for (int gi = 0; gi < groups.size(); gi++) {
            int[] grp = groups.get(gi);
            int r = g.addRow();
            g.setLong(0, r, f.size[units.get(grp[0])[0]]);
            g.setLong(1, r, grp.length);
            byte[] h = hex.formatHex(full[grp[0]]).getBytes(StandardCharsets.US_ASCII);
            g.putString(2, h, 0, h.length);
            List<long[]> rows = new ArrayList<>(); // (unit-local link id, row)
            int linkId = 0;
            for (int u : grp) {
                int[] rowsOfUnit = units.get(u);
                int id = rowsOfUnit.length > 1 ? linkId++ : -1;
                for (int row : rowsOfUnit) {
                    rows.add(new long[] {id, row});
                }
            }
            rows.sort((x, y) -> Arrays.compareUnsigned(f.path[(int) x[1]], f.path[(int) y[1]]));
            for (long[] x : rows) {
                int pr = p.addRow();
                p.setInt(0, pr, gi);
                p.setInt(1, pr, (int) x[0]);
                byte[] path = f.path[(int) x[1]];
                p.putString(2, path, 0, path.length);
            }
        }
        return new byte[][] {g.pack(), p.pack(), ErrorBatch.pack(errors)};
    }

    private static Integer[] boxedRange(int n) {
        Integer[] a = new Integer[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
