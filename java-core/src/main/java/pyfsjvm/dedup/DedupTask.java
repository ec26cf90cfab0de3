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
import pyfsjvm.hash.Hasher;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;
import pyfsjvm.platform.DirListing;
import pyfsjvm.walk.Dir;
import pyfsjvm.walk.WalkSpec;
import pyfsjvm.walk.Walker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
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
 *   <li>group by size; a size group needs two distinct inodes to be compared (hard links are
 *       one file; an inode with several paths and no copies is reported as a group of one file,
 *       with nothing wasted);</li>
 *   <li>partial: the first and last {@code partialSize} bytes, compared as bytes (the whole file
 *       when it is at most twice that: such files are then known duplicates, and their digest is
 *       computed once per group);</li>
 *   <li>full hash of the larger files still grouped.</li>
 * </ol>
 *
 * Each stage runs in parallel, reading one representative path per inode, in (dev, inode) order
 * so reads follow the disk layout as far as the file system allocates inodes in order. A file
 * whose size, mtime or inode changed between the walk and the end is left out and reported.
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
    /** Threads for hashing (CPU-bound) and for the small reads of the partial stage (I/O-bound). */
    private final int threads;
    private final int ioThreads;
    private final ProgressQueue progress = new ProgressQueue();
    private final List<FsException> errors = Collections.synchronizedList(new ArrayList<>());

    DedupTask(byte[][] inputs, boolean recursive, long minSize, HashAlgorithm algorithm, long partialSize,
              int threads, int ioThreads) {
        this.inputs = inputs;
        this.recursive = recursive;
        this.minSize = minSize;
        this.algorithm = algorithm;
        this.partialSize = Math.max(1, partialSize);
        this.threads = Math.max(1, threads);
        this.ioThreads = Math.max(1, ioThreads);
    }

    /** Runs after the files are collected, before they are compared (tests change files here). */
    Runnable afterCollect = () -> { };

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
        afterCollect.run();
        cancel.check();
        dropSameEntries(files);

        post(1, 0, files.count);
        List<int[]> bySize = sizeGroups(files);
        int candidates = countPaths(bySize);
        post(1, candidates, files.count);

        // One unit per inode: units[u] = the rows (paths) of that inode, row 0 the representative.
        // Size groups of two or more inodes go through the stages; an inode with several paths
        // (hard links) is reported as such even when nothing else has its contents.
        List<int[]> units = new ArrayList<>();
        List<int[]> unitsBySize = new ArrayList<>();
        List<Integer> linked = new ArrayList<>();
        for (int[] g : bySize) {
            List<int[]> us = inodes(files, g);
            int[] ids = new int[us.size()];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = units.size();
                if (us.get(k).length > 1) {
                    linked.add(units.size());
                }
                units.add(us.get(k));
            }
            if (ids.length > 1) {
                unitsBySize.add(ids);
            }
        }
        post(2, 0, candidates);
        byte[][] full = new byte[units.size()][];
        List<int[]> groups = partialStage(files, units, unitsBySize, full);
        List<Integer> lone = notIn(groups, linked, units.size());
        int partialCount = countUnitPaths(units, groups) + countUnitPaths(units, singletons(lone));
        post(2, partialCount, candidates);

        post(3, 0, partialCount);
        List<Integer> need = new ArrayList<>();
        for (int[] g : groups) {
            for (int u : g) {
                if (full[u] == null) {
                    need.add(u);
                }
            }
        }
        for (int u : lone) {
            if (full[u] == null) {
                need.add(u);
            }
        }
        fullStage(files, units, need, full);
        List<int[]> survivors = new ArrayList<>();
        for (int[] g : groups) {
            survivors.addAll(regroupWithin(files, units, full, g));
        }
        for (int u : notIn(survivors, linked, units.size())) {
            if (full[u] != null) {
                survivors.add(new int[] {u}); // hard links only: one file, no space to win
            }
        }
        survivors = dropChanged(files, units, survivors);
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
                collectDir(input, files);
            }
        }
        return files;
    }

    /**
     * Adds the regular files under {@code dir} (hidden ones too; symlinks are not followed). The
     * walk is the shared walker's unordered mode: directories are read and visited on all its
     * threads at once, since the order is decided later by sorting.
     */
    private void collectDir(byte[] dir, FileList files) throws FsException {
        WalkSpec spec = new WalkSpec(dir).maxDepth(recursive ? -1 : 1);
        Walker.walkUnordered(spec, cancel, new Walker.DirVisitor() {
            @Override
            public void directory(Dir d) {
                DirListing l = d.listing();
                Stat st = new Stat();
                FileList local = new FileList();
                for (int i = 0, n = l.count(); i < n; i++) {
                    if (l.type(i) != FileType.FILE || l.errno(i) != null) {
                        continue; // not a regular file, vanished, or its stat failed (reported)
                    }
                    l.stat(i, st);
                    if (st.size >= minSize) {
                        local.add(d.childPath(i), st.size, st.dev, st.ino, st.mtimeSec, st.mtimeNsec);
                    }
                }
                synchronized (files) {
                    for (int k = 0; k < local.count; k++) {
                        files.add(local.path[k], local.size[k], local.dev[k], local.ino[k], local.mtimeSec[k],
                                local.mtimeNsec[k]);
                    }
                }
            }

            @Override
            public void error(FsException e) {
                errors.add(e);
            }
        });
    }

    /**
     * Keeps one row per directory entry: rows of one inode are told apart by their real path
     * (symlinks and "." resolved), so hard links stay (they are distinct entries) while the same
     * file reached twice does not. Only inodes seen more than once pay for the real path.
     */
    private void dropSameEntries(FileList f) {
        Map<Inode, Integer> first = new HashMap<>(f.count * 2);
        Map<Inode, List<Integer>> repeated = new HashMap<>();
        for (int r = 0; r < f.count; r++) {
            Inode key = new Inode(f.dev[r], f.ino[r]);
            Integer prev = first.putIfAbsent(key, r);
            if (prev != null) {
                repeated.computeIfAbsent(key, k -> new ArrayList<>(List.of(prev))).add(r);
            }
        }
        boolean[] drop = new boolean[f.count];
        int dropped = 0;
        for (List<Integer> rows : repeated.values()) {
            Set<String> seen = new HashSet<>();
            for (int row : rows) { // input order: the first path given is the one kept
                if (!seen.add(realPath(f.path[row]))) {
                    drop[row] = true;
                    dropped++;
                }
            }
        }
        if (dropped > 0) {
            compact(f, drop);
        }
    }

    private record Inode(long dev, long ino) {}

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

    /** Rows grouped by size, keeping groups of two or more rows (inodes, or hard links to one). */
    private static List<int[]> sizeGroups(FileList f) {
        Map<Long, List<Integer>> bySize = new HashMap<>(f.count * 2);
        for (int r = 0; r < f.count; r++) {
            bySize.computeIfAbsent(f.size[r], k -> new ArrayList<>(2)).add(r);
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> rows : bySize.values()) {
            if (rows.size() < 2) {
                continue;
            }
            rows.sort((a, b) -> {
                int c = Long.compare(f.dev[a], f.dev[b]);
                c = c != 0 ? c : Long.compare(f.ino[a], f.ino[b]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            out.add(rows.stream().mapToInt(Integer::intValue).toArray());
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

    /** The units of {@code candidates} that are in none of {@code groups}. */
    private static List<Integer> notIn(List<int[]> groups, List<Integer> candidates, int nUnits) {
        boolean[] in = new boolean[nUnits];
        for (int[] g : groups) {
            for (int u : g) {
                in[u] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int u : candidates) {
            if (!in[u]) {
                out.add(u);
            }
        }
        return out;
    }

    private static List<int[]> singletons(List<Integer> us) {
        List<int[]> out = new ArrayList<>();
        for (int u : us) {
            out.add(new int[] {u});
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
     * The partial stage, one size group per work item (groups in inode order): each file's key is
     * its whole contents when it is at most {@code 2 * partialSize} bytes, else its first and last
     * {@code partialSize} bytes, read with one open. Keys are compared as bytes, not hashed: exact,
     * and no hashing cost for the many files that differ here. Small files whose whole contents
     * matched are duplicates already; their group's digest is computed once, from the bytes in
     * memory, into {@code full}.
     */
    private List<int[]> partialStage(FileList f, List<int[]> units, List<int[]> bySize, byte[][] full) throws FsException {
        bySize.sort((a, b) -> {
            int ra = units.get(a[0])[0];
            int rb = units.get(b[0])[0];
            int c = Long.compare(f.dev[ra], f.dev[rb]);
            return c != 0 ? c : Long.compare(f.ino[ra], f.ino[rb]);
        });
        List<int[]> out = Collections.synchronizedList(new ArrayList<>());
        HashAlgorithm a = algorithm;
        ParallelFor.run(bySize.size(), ioThreads, cancel, () -> new KeyWorker(a), (w, k) -> {
            int[] g = bySize.get(k);
            long size = f.size[units.get(g[0])[0]];
            boolean whole = size <= 2 * partialSize;
            int keyLen = (int) (whole ? size : 2 * partialSize);
            if ((long) keyLen * g.length <= arenaMax) {
                splitInArena(f, units, g, size, whole, keyLen, w, full, out);
            } else {
                splitByMap(f, units, g, size, whole, w.hasher, full, out);
            }
        });
        return new ArrayList<>(out);
    }

    /** Largest per-thread key arena; bigger size groups (rare) allocate a key per file instead. */
    static int arenaMax = 32 << 20; // not final: tests force the other path



    /** Per-thread state of the partial stage: a hasher and reusable key memory (no garbage per file). */
    private static final class KeyWorker {
        final Hasher hasher;
        byte[] arena = new byte[1 << 16];
        byte[] read = new byte[1 << 13];

        KeyWorker(HashAlgorithm a) {
            hasher = a.newHasher();
        }

        byte[] arena(int n) {
            if (arena.length < n) {
                arena = new byte[Math.max(n, arena.length * 2)];
            }
            return arena;
        }

        byte[] read(int n) {
            if (read.length < n) {
                read = new byte[n];
            }
            return read;
        }
    }

    /**
     * Splits one size group by key: the keys go side by side into the worker's arena, are sorted
     * by their bytes, and runs of equal keys are the new groups.
     */
    private void splitInArena(FileList f, List<int[]> units, int[] g, long size, boolean whole, int keyLen,
                              KeyWorker w, byte[][] full, List<int[]> out) {
        byte[] arena = w.arena(keyLen * g.length);
        int[] unitAt = new int[g.length];
        int n = 0;
        for (int u : g) {
            cancel.check();
            byte[] raw = f.path[units.get(u)[0]];
            try {
                byte[] key = w.read(keyLen);
                readKey(raw, size, whole, key);
                System.arraycopy(key, 0, arena, n * keyLen, keyLen);
                unitAt[n++] = u;
            } catch (FsException e) {
                errors.add(e);
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(arena, x * keyLen, x * keyLen + keyLen,
                arena, y * keyLen, y * keyLen + keyLen));
        for (int s = 0; s < n; ) {
            int e = s + 1;
            int from = order[s] * keyLen;
            while (e < n && Arrays.equals(arena, from, from + keyLen, arena, order[e] * keyLen, order[e] * keyLen + keyLen)) {
                e++;
            }
            if (e - s > 1) {
                int[] sub = new int[e - s];
                for (int x = s; x < e; x++) {
                    sub[x - s] = unitAt[order[x]];
                }
                if (whole) {
                    w.hasher.update(arena, from, keyLen);
                    byte[] d = w.hasher.digest();
                    for (int u : sub) {
                        full[u] = d;
                    }
                }
                out.add(sub);
            }
            s = e;
        }
    }

    /** {@link #splitInArena} for size groups too large for the arena: one key array per file. */
    private void splitByMap(FileList f, List<int[]> units, int[] g, long size, boolean whole, Hasher hasher,
                            byte[][] full, List<int[]> out) {
        Map<ByteBuffer, List<Integer>> byKey = new HashMap<>();
        int keyLen = (int) (whole ? size : 2 * partialSize);
        for (int u : g) {
            cancel.check();
            byte[] raw = f.path[units.get(u)[0]];
            try {
                byte[] key = new byte[keyLen];
                readKey(raw, size, whole, key);
                byKey.computeIfAbsent(ByteBuffer.wrap(key), x -> new ArrayList<>()).add(u);
            } catch (FsException e) {
                errors.add(e);
            }
        }
        for (Map.Entry<ByteBuffer, List<Integer>> e : byKey.entrySet()) {
            List<Integer> us = e.getValue();
            if (us.size() < 2) {
                continue;
            }
            int[] sub = us.stream().mapToInt(Integer::intValue).toArray();
            if (whole) {
                hasher.update(e.getKey().array(), 0, keyLen);
                byte[] d = hasher.digest();
                for (int u : sub) {
                    full[u] = d;
                }
            }
            out.add(sub);
        }
    }

    /** Reads a file's key (see {@link #partialStage}) into the start of {@code dst}. */
    private void readKey(byte[] raw, long size, boolean whole, byte[] dst) throws FsException {
        int n = (int) (whole ? size : 2 * partialSize);
        long[] offsets = whole ? new long[] {0} : new long[] {0, size - partialSize};
        int[] lengths = whole ? new int[] {n} : new int[] {(int) partialSize, (int) partialSize};
        if (Platform.get().readRanges(raw, offsets, lengths, dst) != n) {
            throw changed(raw); // shorter than its size said; one that grew is caught by dropChanged
        }
    }

    private static FsException changed(byte[] raw) {
        return FsException.domain("file changed while it was being compared; left out", raw);
    }

    /** Full hashes of the units in {@code need}, in parallel, in (dev, inode) order. */
    private void fullStage(FileList f, List<int[]> units, List<Integer> need, byte[][] full) throws FsException {
        need.sort((a, b) -> {
            int ra = units.get(a)[0];
            int rb = units.get(b)[0];
            int c = Long.compare(f.dev[ra], f.dev[rb]);
            return c != 0 ? c : Long.compare(f.ino[ra], f.ino[rb]);
        });
        Cancel c = cancel;
        HashAlgorithm a = algorithm;
        ParallelFor.run(need.size(), threads, c, () -> new FileHasher(a, BUFFER, c), (hasher, k) -> {
            int u = need.get(k);
            byte[] raw = f.path[units.get(u)[0]];
            try {
                full[u] = hasher.hashFile(raw);
            } catch (FsException e) {
                errors.add(e);
            }
        });
    }

    /**
     * Drops every path whose file changed (size, mtime or inode) since the walk: its contents
     * may match neither what was compared nor the group. Groups left with one file go too.
     */
    private List<int[]> dropChanged(FileList f, List<int[]> units, List<int[]> groups) throws FsException {
        int[][] kept = new int[groups.size()][];
        ParallelFor.run(groups.size(), ioThreads, cancel, Stat::new, (st, gi) -> {
            Platform platform = Platform.get();
            int[] g = groups.get(gi);
            int[] keep = new int[g.length];
            int nk = 0;
            for (int u : g) {
                int[] rows = units.get(u);
                int[] ok = new int[rows.length];
                int n = 0;
                for (int row : rows) {
                    try {
                        platform.stat(f.path[row], true, st);
                        if (st.size == f.size[row] && st.mtimeSec == f.mtimeSec[row] && st.mtimeNsec == f.mtimeNsec[row]
                                && st.ino == f.ino[row] && st.dev == f.dev[row]) {
                            ok[n++] = row;
                        } else {
                            errors.add(changed(f.path[row]));
                        }
                    } catch (FsException e) {
                        errors.add(e);
                    }
                }
                if (n > 0) {
                    synchronized (units) {
                        units.set(u, Arrays.copyOf(ok, n));
                    }
                    keep[nk++] = u;
                }
            }
            kept[gi] = Arrays.copyOf(keep, nk);
        });
        List<int[]> out = new ArrayList<>();
        for (int[] g : kept) {
            if (g.length > 1 || g.length == 1 && units.get(g[0]).length > 1) {
                out.add(g);
            }
        }
        return out;
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
}
