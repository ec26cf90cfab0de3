package pyfsjvm.platform.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.DirListing;
import pyfsjvm.platform.FileType;
import pyfsjvm.platform.NioPlatform;
import pyfsjvm.platform.Platform;
import pyfsjvm.platform.RawPaths;
import pyfsjvm.platform.Stat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The FFM layer must see exactly what the NIO layer sees (plus st_blocks). */
class PlatformParityTest {
    @TempDir
    Path tmp;

    @Test
    void sameListingAndStats() throws Exception {
        Files.createDirectories(tmp.resolve("d/e"));
        Files.writeString(tmp.resolve("f.txt"), "12345");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("f.txt"));
        Files.createSymbolicLink(tmp.resolve("broken"), Path.of("missing"));
        byte[] odd = (tmp + "/odd\u00e9").getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[odd.length + 1];
        System.arraycopy(odd, 0, bad, 0, odd.length);
        bad[odd.length] = (byte) 0xff;
        Files.createFile(RawPaths.path(bad));
        Platform ffm = new LinuxFfmPlatform();
        Platform nio = new NioPlatform();
        for (int want : new int[] {Platform.WANT_STAT, Platform.WANT_STAT | Platform.WANT_FOLLOW}) {
            assertEquals(describe(nio, want), describe(ffm, want), "want=" + want);
        }
        Stat a = new Stat();
        ffm.stat(tmp.resolve("f.txt").toString().getBytes(StandardCharsets.UTF_8), true, a);
        assertEquals(FileType.FILE, a.type);
        assertEquals(5, a.size);
        assertEquals(true, a.blocks >= 0);
        FsException e = assertThrows(FsException.class, () -> ffm.readDirectory(
                tmp.resolve("f.txt").toString().getBytes(StandardCharsets.UTF_8), 0, new DirListing()));
        assertEquals("ENOTDIR", e.errno());
    }

    /**
     * A directory bigger than one getdents buffer (64 KiB): names of a single batch are statted
     * where getdents left them, names of several batches from a copy; both must match NIO.
     */
    @Test
    void sameListingWhenTheDirectoryTakesSeveralReads() throws Exception {
        String stem = "x".repeat(120);
        for (int k = 0; k < 1500; k++) { // ~1500 x 144-byte records: about 3 reads
            Path f = tmp.resolve(stem + k);
            if (k % 7 == 0) {
                Files.createDirectory(f);
            } else {
                Files.writeString(f, "y".repeat(k % 50));
            }
        }
        Platform ffm = new LinuxFfmPlatform();
        Platform nio = new NioPlatform();
        List<String> expected = describe(nio, Platform.WANT_STAT);
        assertEquals(1500, expected.size());
        assertEquals(expected, describe(ffm, Platform.WANT_STAT));
    }

    @Test
    void sameTypeOf() throws Exception {
        Files.createDirectories(tmp.resolve("d"));
        Files.writeString(tmp.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("ld"), Path.of("d"));
        Files.createSymbolicLink(tmp.resolve("lf"), Path.of("f"));
        Files.createSymbolicLink(tmp.resolve("broken"), Path.of("missing"));
        Platform ffm = new LinuxFfmPlatform();
        Platform nio = new NioPlatform();
        for (String name : new String[] {"d", "f", "ld", "lf", "broken", "missing", "f/under-a-file"}) {
            byte[] p = tmp.resolve(name).toString().getBytes(StandardCharsets.UTF_8);
            for (boolean follow : new boolean[] {true, false}) {
                assertEquals(nio.typeOf(p, follow), ffm.typeOf(p, follow), name + " follow=" + follow);
            }
        }
        byte[] ld = tmp.resolve("ld").toString().getBytes(StandardCharsets.UTF_8);
        assertEquals(FileType.DIR, ffm.typeOf(ld, true));
        assertEquals(FileType.SYMLINK, ffm.typeOf(ld, false));
        assertEquals(FileType.UNKNOWN, ffm.typeOf(tmp.resolve("broken").toString().getBytes(StandardCharsets.UTF_8), true));
    }

    @Test
    void sameReadIntoBuffers() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.Random(3).nextBytes(data);
        Files.write(tmp.resolve("f"), data);
        byte[] f = tmp.resolve("f").toString().getBytes(StandardCharsets.UTF_8);
        for (Platform p : new Platform[] {new NioPlatform(), new LinuxFfmPlatform()}) {
            for (java.nio.ByteBuffer dst : new java.nio.ByteBuffer[] {
                    java.nio.ByteBuffer.allocateDirect(120_000), java.nio.ByteBuffer.allocate(120_000)}) {
                dst.position(5).limit(9); // absolute: position and limit play no part, and stay
                assertEquals(60_000, p.read(f, dst, 7, 60_000), p.name());
                assertEquals(10_000, p.read(f, dst, 110_000, 10_000), p.name());
                byte[] got = new byte[60_000];
                dst.duplicate().clear().get(7, got);
                assertEquals(java.nio.ByteBuffer.wrap(data, 0, 60_000), java.nio.ByteBuffer.wrap(got), p.name());
                assertEquals(5, dst.position());
                assertEquals(9, dst.limit());
                // a read past the end stops there
                java.nio.ByteBuffer small = dst.isDirect() ? java.nio.ByteBuffer.allocateDirect(200_000)
                        : java.nio.ByteBuffer.allocate(200_000);
                assertEquals(100_000, p.read(f, small, 0, 150_000), p.name());
            }
            FsException e = assertThrows(FsException.class, () -> p.read(
                    tmp.resolve("missing").toString().getBytes(StandardCharsets.UTF_8),
                    java.nio.ByteBuffer.allocateDirect(10), 0, 10));
            assertEquals("ENOENT", e.errno());
        }
    }

    private List<String> describe(Platform p, int want) throws FsException {
        DirListing l = new DirListing();
        p.readDirectory(tmp.toString().getBytes(StandardCharsets.UTF_8), want, l);
        l.sortByName();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            out.add(java.util.Arrays.toString(l.name(i)) + " type=" + l.type(i) + " size=" + l.size(i)
                    + " mode=" + l.mode(i) + " ino=" + l.ino(i) + " dev=" + l.dev(i) + " nlink=" + l.nlink(i)
                    + " mtime=" + l.mtimeSec(i) + "." + l.mtimeNsec(i) + " ctime=" + l.ctimeSec(i) + "." + l.ctimeNsec(i)
                    + " uid=" + l.uid(i) + " gid=" + l.gid(i) + " link=" + l.link(i) + " err=" + l.errno(i));
        }
        return out;
    }
}
