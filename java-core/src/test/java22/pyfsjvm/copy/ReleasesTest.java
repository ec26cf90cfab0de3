package pyfsjvm.copy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.platform.NativeCopy;
import pyfsjvm.platform.ffm.LinuxFfmPlatform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replaced files are held across the rename, freed by the releasers, and all of them by close(). */
class ReleasesTest {
    @TempDir
    Path tmp;

    private final NativeCopy nc = new LinuxFfmPlatform().nativeCopy();

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Our descriptors that name a deleted file under {@code tmp}. */
    private List<String> heldDeleted() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(tmp.toString()) && target.endsWith(" (deleted)")) {
                        out.add(target);
                    }
                } catch (IOException e) {
                    // the descriptor Files.list itself used, closed meanwhile
                }
            }
        }
        return out;
    }

    @Test
    void aHeldFileOutlivesTheRenameOverItUntilReleased() throws Exception {
        Path dst = tmp.resolve("dst");
        Files.writeString(dst, "old contents");
        Path next = tmp.resolve("next");
        Files.writeString(next, "new");
        int h = nc.hold(b(dst));
        assertTrue(h >= 0);
        nc.rename(b(next), b(dst));
        assertEquals("new", Files.readString(dst));
        Path fd = Path.of("/proc/self/fd/" + h);
        assertEquals(0, (int) Files.getAttribute(fd, "unix:nlink")); // unlinked, still alive
        assertEquals(12L, Files.size(fd));
        assertEquals(List.of(dst + " (deleted)"), heldDeleted());
        nc.release(h);
        assertEquals(List.of(), heldDeleted());
        assertEquals(-1, nc.hold(b(tmp.resolve("missing"))));
    }

    @Test
    void onlyLocalBlockFileSystemsGetReleasers() throws Exception {
        // where the freeing may wait for a device; not tmpfs, proc or NFS (silly renames)
        assertFalse(Releases.helpsOn(Path.of("/proc")));
        if (Files.isDirectory(Path.of("/dev/shm"))) {
            assertFalse(Releases.helpsOn(Path.of("/dev/shm")));
        }
        String type = Files.getFileStore(tmp).type();
        assertEquals(java.util.Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs").contains(type),
                Releases.helpsOn(tmp), type);
        assertFalse(Releases.helpsOn(tmp.resolve("missing")));
    }

    @Test
    void closeWaitsUntilEveryReplacedFileIsFreed() throws Exception {
        // more files than may wait at once: the surplus is released by the copying thread itself
        int n = 600;
        for (int i = 0; i < n; i++) {
            Files.writeString(tmp.resolve("s" + i), "new " + i);
            Files.writeString(tmp.resolve("d" + i), "old contents " + i);
        }
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger released = new java.util.concurrent.atomic.AtomicInteger();
        NativeCopy counting = new NativeCopy() {
            @Override
            public long copy(byte[] src, byte[] t, boolean preserve, boolean fsync, Cancel cancel,
                             java.util.function.LongConsumer progress) throws pyfsjvm.bridge.FsException {
                return nc.copy(src, t, preserve, fsync, cancel, progress);
            }

            @Override
            public void rename(byte[] from, byte[] to) throws pyfsjvm.bridge.FsException {
                nc.rename(from, to);
            }

            @Override
            public int hold(byte[] path) {
                int h = nc.hold(path);
                held.addAndGet(h >= 0 ? 1 : 0);
                return h;
            }

            @Override
            public void release(int handle) {
                released.incrementAndGet();
                nc.release(handle);
            }
        };
        try (Releases r = new Releases(counting)) {
            FileCopier c = new FileCopier(true, false, new Cancel(), null, r);
            for (int i = 0; i < n; i++) {
                c.copyFile(b(tmp.resolve("s" + i)), b(tmp.resolve("d" + i)), false, true);
            }
            c.copyFile(b(tmp.resolve("s0")), b(tmp.resolve("new")), false, false); // nothing to hold
        }
        assertEquals(n, held.get());
        assertEquals(n, released.get());
        assertEquals(List.of(), heldDeleted());
        for (int i = 0; i < n; i++) {
            assertEquals("new " + i, Files.readString(tmp.resolve("d" + i)));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".pyfsjvm-tmp")));
        }
    }
}
