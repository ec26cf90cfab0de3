package pyfsjvm.walk;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.NioPlatform;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.Stat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalkerTest {
    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void tree() throws IOException {
        root = tmp.resolve("root");
        Files.createDirectories(root.resolve("b/c"));
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve(".h"));
        Files.writeString(root.resolve("a/1.txt"), "1");
        Files.writeString(root.resolve("b/c/2.txt"), "22");
        Files.writeString(root.resolve("b/3.txt"), "333");
        Files.writeString(root.resolve(".h/4"), "4444");
        Files.writeString(root.resolve("z"), "");
    }

    private List<String> walk(WalkSpec spec, List<FsException> errors) throws FsException {
        List<String> out = new ArrayList<>();
        Walker.walk(spec, new Cancel(), new Walker.Visitor() {
            @Override
            public void entry(Dir parent, int i) {
                String p = new String(parent.childPath(i), StandardCharsets.UTF_8);
                out.add(p.substring(root.toString().length() + 1));
            }

            @Override
            public void error(FsException e) {
                errors.add(e);
            }
        });
        return out;
    }

    private WalkSpec spec() {
        return new WalkSpec(root.toString().getBytes(StandardCharsets.UTF_8)).sort(true);
    }

    @Test
    void depthFirstPreorderSortedByName() throws FsException {
        for (int threads : new int[] {0, 1, 2, 8}) {
            assertEquals(List.of(".h", ".h/4", "a", "a/1.txt", "b", "b/3.txt", "b/c", "b/c/2.txt", "z"),
                    walk(spec().threads(threads), new ArrayList<>()), "threads=" + threads);
        }
    }

    @Test
    void orderHoldsUnderATinyReadAheadBudget() throws FsException {
        assertEquals(walk(spec(), new ArrayList<>()), walk(spec().bufferedEntries(1).threads(4), new ArrayList<>()));
    }

    @Test
    void maxDepthAndHidden() throws FsException {
        assertEquals(List.of(".h", "a", "b", "z"), walk(spec().maxDepth(1), new ArrayList<>()));
        assertEquals(List.of(), walk(spec().maxDepth(0), new ArrayList<>()));
        assertEquals(List.of("a", "a/1.txt", "b", "b/3.txt", "b/c", "b/c/2.txt", "z"),
                walk(spec().skipHidden(true), new ArrayList<>()));
    }

    @Test
    void pruneHook() throws FsException {
        byte[] b = {'b'};
        assertEquals(List.of(".h", ".h/4", "a", "a/1.txt", "b", "z"),
                walk(spec().prune((d, i) -> d.listing().nameIs(i, b)), new ArrayList<>()));
    }

    @Test
    void loopsAreReportedWhenFollowing() throws Exception {
        Files.createSymbolicLink(root.resolve("b/c/up"), Path.of("../.."));
        List<FsException> errors = new ArrayList<>();
        List<String> got = walk(spec().follow(true), errors);
        assertTrue(got.contains("b/c/up"));
        assertTrue(got.stream().noneMatch(p -> p.startsWith("b/c/up/")));
        assertEquals(1, errors.size());
        assertEquals("ELOOP", errors.get(0).errno());
        assertEquals(root.resolve("b/c/up").toString(), new String(errors.get(0).path(), StandardCharsets.UTF_8));
    }

    @Test
    void unreadableDirectoryIsReportedAndTheWalkGoesOn() throws FsException {
        Platform denyB = denying("/b");
        List<FsException> errors = new ArrayList<>();
        assertEquals(List.of(".h", ".h/4", "a", "a/1.txt", "b", "z"), walk(spec().platform(denyB), errors));
        assertEquals(1, errors.size());
        assertEquals("EACCES", errors.get(0).errno());
    }

    @Test
    void entriesThatVanishBeforeTheirStatAreLeftOut() throws FsException {
        Platform vanishing = new FaultyPlatform() {
            @Override
            public void readDirectory(byte[] dir, int want, DirListing out) throws FsException {
                super.readDirectory(dir, want, out);
                for (int i = 0; i < out.count(); i++) {
                    if (out.nameIs(i, "z".getBytes(StandardCharsets.UTF_8))) {
                        out.setError(i, "ENOENT"); // as if deleted between getdents and statx
                    }
                }
            }
        };
        List<FsException> errors = new ArrayList<>();
        List<String> got = walk(spec().platform(vanishing), errors);
        assertTrue(!got.contains("z") && got.contains("b/c/2.txt"));
        assertEquals(List.of(), errors);
    }

    @Test
    void rootErrorsThrow() {
        WalkSpec missing = new WalkSpec(root.resolve("nope").toString().getBytes(StandardCharsets.UTF_8));
        FsException e = assertThrows(FsException.class, () -> walk(missing, new ArrayList<>()));
        assertEquals("ENOENT", e.errno());
    }

    @Test
    void cancellationStopsTheWalk() {
        Cancel cancel = new Cancel();
        AtomicInteger seen = new AtomicInteger();
        assertThrows(Cancel.CancelledException.class, () -> Walker.walk(spec().threads(2), cancel, (d, i) -> {
            if (seen.incrementAndGet() == 2) {
                cancel.cancel();
            }
        }));
        assertTrue(seen.get() <= 3);
    }

    @Test
    void unorderedWalkVisitsEveryDirectoryOnce() throws FsException {
        List<String> dirs = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger entries = new AtomicInteger();
        Walker.walkUnordered(spec().threads(3), new Cancel(), d -> {
            dirs.add(new String(d.path(), StandardCharsets.UTF_8));
            entries.addAndGet(d.listing().count());
        });
        Collections.sort(dirs);
        assertEquals(List.of(root.toString(), root + "/.h", root + "/a", root + "/b", root + "/b/c"), dirs);
        assertEquals(9, entries.get());
    }

    /** A tree of {@code fanout}^1 + ... + {@code fanout}^{@code levels} directories, one file in each. */
    private Path wideTree(int fanout, int levels) throws IOException {
        Path top = tmp.resolve("wide");
        List<Path> level = List.of(top);
        for (int k = 0; k < levels; k++) {
            List<Path> next = new ArrayList<>();
            for (Path p : level) {
                for (int j = 0; j < fanout; j++) {
                    Path c = Files.createDirectories(p.resolve("d" + j));
                    Files.writeString(c.resolve("f"), "x");
                    next.add(c);
                }
            }
            level = next;
        }
        return top;
    }

    /** Waits (up to 10 s) for {@code condition}; false if it never held. */
    private static boolean await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Whether every other worker of the walk is waiting on the shared queue, i.e. counted idle. */
    private static boolean workersIdle(Thread caller) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey() != caller && e.getKey().getName().equals("pyfs-jvm-walk"))
                .allMatch(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getMethodName().equals("pollFirst")));
    }

    /**
     * Sharing without relying on timing: the caller holds the root's subdirectories on its own
     * stack; its root visit waits until the other workers sit idle on the shared queue, so the
     * share check right after must hand them half; its second visit waits until one of them has
     * visited a directory (it would time out, and the test fail, if nothing had been shared).
     */
    @Test
    void unorderedWorkersShareTheWorkAndVisitEachDirectoryOnce() throws Exception {
        Path top = wideTree(6, 3); // 6 + 36 + 216 directories below the root
        List<String> dirs = Collections.synchronizedList(new ArrayList<>());
        java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger files = new AtomicInteger();
        Thread caller = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean shared = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger callerVisits = new AtomicInteger();
        WalkSpec spec = new WalkSpec(top.toString().getBytes(StandardCharsets.UTF_8)).threads(4);
        Walker.walkUnordered(spec, new Cancel(), d -> {
            dirs.add(new String(d.path(), StandardCharsets.UTF_8));
            threads.add(Thread.currentThread());
            int k = Thread.currentThread() == caller ? callerVisits.incrementAndGet() : 0;
            if (k == 1) { // the root
                await(() -> workersIdle(caller));
            } else if (k == 2) {
                shared.set(await(() -> threads.size() > 1));
            }
            for (int i = 0; i < d.listing().count(); i++) {
                if (d.listing().type(i) == pyfsjvm.platform.FileType.FILE) {
                    files.incrementAndGet();
                }
            }
        });
        List<String> expected = new ArrayList<>();
        try (var s = Files.walk(top)) {
            s.filter(Files::isDirectory).forEach(p -> expected.add(p.toString()));
        }
        Collections.sort(dirs);
        Collections.sort(expected);
        assertEquals(expected, dirs);        // every directory, none twice
        assertEquals(258, files.get());
        assertTrue(shared.get() && threads.size() > 1, "work was never given to another worker: " + threads);
    }

    @Test
    void unorderedWalkReportsUnreadableDirectoriesAndGoesOn() throws Exception {
        Path top = wideTree(4, 2);
        Platform denyD1 = denying("/d1");
        List<String> dirs = Collections.synchronizedList(new ArrayList<>());
        List<FsException> errors = Collections.synchronizedList(new ArrayList<>());
        WalkSpec spec = new WalkSpec(top.toString().getBytes(StandardCharsets.UTF_8)).threads(3).platform(denyD1);
        Walker.walkUnordered(spec, new Cancel(), new Walker.DirVisitor() {
            @Override
            public void directory(Dir d) {
                dirs.add(new String(d.path(), StandardCharsets.UTF_8));
            }

            @Override
            public void error(FsException e) {
                errors.add(e);
            }
        });
        // the root, d0..d3 less d1, and under each of d0, d2, d3 its four children except d1 (4 + 3 x 3)
        assertEquals(1 + 3 + 3 * 3, dirs.size());
        assertEquals(4, errors.size()); // /d1 itself and the d1 under each readable one
        assertTrue(errors.stream().allMatch(e -> "EACCES".equals(e.errno())));
    }

    @Test
    void unorderedWalkStopsOnCancelAndOnAFailingVisitor() throws Exception {
        Path top = wideTree(6, 3);
        byte[] rootBytes = top.toString().getBytes(StandardCharsets.UTF_8);
        Cancel cancel = new Cancel();
        AtomicInteger seen = new AtomicInteger();
        assertThrows(Cancel.CancelledException.class, () -> Walker.walkUnordered(
                new WalkSpec(rootBytes).threads(4), cancel, d -> {
                    if (seen.incrementAndGet() == 10) {
                        cancel.cancel();
                    }
                }));
        int atCancel = seen.get();
        assertTrue(atCancel < 40, "kept walking after the cancel: " + atCancel);

        IllegalStateException boom = new IllegalStateException("visitor failed");
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Walker.walkUnordered(
                new WalkSpec(rootBytes).threads(4), new Cancel(), d -> {
                    if (calls.incrementAndGet() == 5) {
                        throw boom;
                    }
                }));
        assertEquals(boom, thrown);
        assertTrue(calls.get() < 40, "kept walking after the failure: " + calls.get());
    }

    /** NIO, but every directory whose path ends with {@code suffix} is unreadable (EACCES). */
    private static Platform denying(String suffix) {
        return new FaultyPlatform() {
            @Override
            public void readDirectory(byte[] dir, int want, DirListing out) throws FsException {
                if (new String(dir, StandardCharsets.UTF_8).endsWith(suffix)) {
                    throw new FsException("EACCES", dir, "Permission denied");
                }
                super.readDirectory(dir, want, out);
            }
        };
    }

    /** NIO with hooks for fault injection. */
    private static class FaultyPlatform implements Platform {
        private final Platform real = new NioPlatform();

        @Override
        public String name() {
            return "faulty";
        }

        @Override
        public boolean exactNames() {
            return true;
        }

        @Override
        public boolean hasBlocks() {
            return false;
        }

        @Override
        public void readDirectory(byte[] dir, int want, DirListing out) throws FsException {
            real.readDirectory(dir, want, out);
        }

        @Override
        public void stat(byte[] path, boolean follow, Stat out) throws FsException {
            real.stat(path, follow, out);
        }
    }
}
