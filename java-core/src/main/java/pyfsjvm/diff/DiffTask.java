package pyfsjvm.diff;

import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.ParallelFor;
import pyfsjvm.bridge.Task;
import pyfsjvm.hash.FileHasher;
import pyfsjvm.hash.HashAlgorithm;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.Glob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * pyfs-watcher's {@code diff_dirs}: regular files under two roots (symlinks not followed), paired by
 * relative path; same-size pairs hashed in parallel when {@code compareContent}; with
 * {@code detectMoves}, files only in the source paired 1:1 with files only in the target by
 * (size, digest), greedily in path order.
 *
 * <p>Result: five {@link Columns} batches, in the order added, removed, modified, unchanged (layout
 * "sqqss": relative path, source size, target size (-1 for none), source digest, target digest ("" for
 * none)) and moved ("sssq": source path, target path, digest, size). Every list is sorted by path.
 *
 * <p>Unlike the reference, a pair whose hashing fails on either side is reported as modified (the
 * reference calls a pair where both sides fail "unchanged"), with the failure logged.
 */
public final class DiffTask extends Task<byte[][]> {
    private final byte[] source;
    private final byte[] target;
    private final HashAlgorithm algorithm;
    private final boolean compareContent;
    private final boolean skipHidden;
    private final Glob glob;
    private final int maxDepth;
    private final boolean detectMoves;
    private final int workers;
    private final ConcurrentLinkedQueue<String> stages = new ConcurrentLinkedQueue<>();

    DiffTask(byte[] source, byte[] target, HashAlgorithm algorithm, boolean compareContent, boolean skipHidden,
             Glob glob, int maxDepth, boolean detectMoves, int workers) {
        this.source = source;
        this.target = target;
        this.algorithm = algorithm;
        this.compareContent = compareContent;
        this.skipHidden = skipHidden;
        this.glob = glob;
        this.maxDepth = maxDepth;
        this.detectMoves = detectMoves;
        this.workers = workers;
    }

    /** Stages reached since the last call ("walking_source", "walking_target", "comparing"). */
    public String[] stages() {
        List<String> out = new ArrayList<>();
        String s;
        while ((s = stages.poll()) != null) {
            out.add(s);
        }
        return out.toArray(new String[0]);
    }

    private void stage(String s) {
        cancel.check();
        stages.add(s);
        wake();
    }

    @Override
    protected byte[][] compute() throws FsException {
        stage("walking_source");
        Trees.Pending later = Trees.listLater(target, EntryTable.FILES, skipHidden, maxDepth, glob, cancel, "diff");
        EntryTable a;
        try {
            a = Trees.list(source, EntryTable.FILES, skipHidden, maxDepth, glob, cancel, "diff");
            stage("walking_target");
        } catch (FsException | RuntimeException e) {
            later.abandon();
            throw e;
        }
        EntryTable b = later.get();
        stage("comparing");

        // Merge-join on relative path.
        int[] onlyA = new int[a.count()];
        int[] onlyB = new int[b.count()];
        int[] pairA = new int[Math.min(a.count(), b.count())];
        int[] pairB = new int[pairA.length];
        int na = 0, nb = 0, np = 0;
        int i = 0, j = 0;
        while (i < a.count() || j < b.count()) {
            int c = i >= a.count() ? 1 : j >= b.count() ? -1 : Trees.compare(a, i, b, j);
            if (c < 0) {
                onlyA[na++] = i++;
            } else if (c > 0) {
                onlyB[nb++] = j++;
            } else {
                pairA[np] = i++;
                pairB[np++] = j++;
            }
        }
        cancel.check();

        // Same-size pairs: hash both sides in parallel.
        String[] hashA = new String[a.count()];
        String[] hashB = new String[b.count()];
        List<Integer> toHash = new ArrayList<>();
        if (compareContent) {
            for (int k = 0; k < np; k++) {
                if (a.size(pairA[k]) == b.size(pairB[k])) {
                    toHash.add(k);
                }
            }
        }
        final int[] pa = pairA, pb = pairB;
        ParallelFor.run(toHash.size(), workers, cancel, this::hasher, (h, n) -> {
            int k = toHash.get(n);
            hashA[pa[k]] = hash(h, a, pa[k]);
            hashB[pb[k]] = hash(h, b, pb[k]);
        });

        Columns added = new Columns("sqqss", nb);
        Columns removed = new Columns("sqqss", na);
        Columns modified = new Columns("sqqss", 16);
        Columns unchanged = new Columns("sqqss", np);
        Columns moved = new Columns("sssq", 16);

        for (int k = 0; k < np; k++) {
            int x = pairA[k], y = pairB[k];
            boolean same = a.size(x) == b.size(y)
                    && (!compareContent || (hashA[x] != null && hashA[x].equals(hashB[y])));
            row(same ? unchanged : modified, a, x, a.size(x), b.size(y), hashA[x], hashB[y]);
        }

        boolean[] movedA = new boolean[a.count()];
        boolean[] movedB = new boolean[b.count()];
        if (detectMoves && na > 0 && nb > 0) {
            int[] all = new int[na + nb];
            System.arraycopy(onlyA, 0, all, 0, na);
            System.arraycopy(onlyB, 0, all, na, nb);
            final int splitAt = na;
            ParallelFor.run(all.length, workers, cancel, this::hasher, (h, n) -> {
                if (n < splitAt) {
                    hashA[all[n]] = hash(h, a, all[n]);
                } else {
                    hashB[all[n]] = hash(h, b, all[n]);
                }
            });
            // Index the added files by (size, digest), in path order; pair greedily 1:1.
            Map<String, ArrayList<Integer>> byKey = new HashMap<>();
            for (int n = 0; n < nb; n++) {
                int y = onlyB[n];
                if (hashB[y] != null) {
                    byKey.computeIfAbsent(b.size(y) + ":" + hashB[y], k -> new ArrayList<>()).add(y);
                }
            }
            Map<String, Integer> taken = new HashMap<>();
            for (int n = 0; n < na; n++) {
                int x = onlyA[n];
                if (hashA[x] == null) {
                    continue;
                }
                String key = a.size(x) + ":" + hashA[x];
                ArrayList<Integer> cands = byKey.get(key);
                if (cands == null) {
                    continue;
                }
                int used = taken.getOrDefault(key, 0);
                if (used >= cands.size()) {
                    continue;
                }
                taken.put(key, used + 1);
                int y = cands.get(used);
                movedA[x] = true;
                movedB[y] = true;
                int r = moved.addRow();
                rel(moved, 0, a, x);
                rel(moved, 1, b, y);
                byte[] hx = hashA[x].getBytes(StandardCharsets.US_ASCII);
                moved.putString(2, hx, 0, hx.length);
                moved.setLong(3, r, a.size(x));
            }
        }
        for (int n = 0; n < na; n++) {
            if (!movedA[onlyA[n]]) {
                row(removed, a, onlyA[n], a.size(onlyA[n]), -1, null, null);
            }
        }
        for (int n = 0; n < nb; n++) {
            if (!movedB[onlyB[n]]) {
                row(added, b, onlyB[n], -1, b.size(onlyB[n]), null, null);
            }
        }
        return new byte[][] {added.pack(), removed.pack(), modified.pack(), unchanged.pack(), moved.pack()};
    }

    private FileHasher hasher() {
        return new FileHasher(algorithm, 1 << 20, cancel);
    }

    /** The digest of row {@code i}, or null (logged) if the file cannot be read. */
    private static String hash(FileHasher h, EntryTable t, int i) {
        byte[] p = t.path(i);
        try {
            return Trees.hex(h.hashFile(p));
        } catch (FsException e) {
            Log.warning("diff", "cannot hash (" + e.reason() + ")", p);
            return null;
        }
    }

    private static void rel(Columns c, int col, EntryTable t, int i) {
        c.putString(col, t.pathBytes(i), t.pathStart(i) + t.relativeOffset(i), t.pathLength(i) - t.relativeOffset(i));
    }

    private static void row(Columns c, EntryTable t, int i, long sizeA, long sizeB, String ha, String hb) {
        int r = c.addRow();
        rel(c, 0, t, i);
        c.setLong(1, r, sizeA);
        c.setLong(2, r, sizeB);
        byte[] x = ha == null ? new byte[0] : ha.getBytes(StandardCharsets.US_ASCII);
        byte[] y = hb == null ? new byte[0] : hb.getBytes(StandardCharsets.US_ASCII);
        c.putString(3, x, 0, x.length);
        c.putString(4, y, 0, y.length);
    }
}
