package pyfsjvm.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.FsException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NIO layer on its own; PlatformParityTest (java22) checks FFM against it. */
class PlatformTest {
    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rawBytesRoundTripThroughNio() throws Exception {
        assertTrue(RawPaths.exact(), "the tests run with --add-opens java.base/sun.nio.fs");
        byte[] dir = b(tmp.toString());
        byte[] bad = {'x', (byte) 0xff, (byte) 0xfe};
        byte[] full = new byte[dir.length + 1 + bad.length];
        System.arraycopy(dir, 0, full, 0, dir.length);
        full[dir.length] = '/';
        System.arraycopy(bad, 0, full, dir.length + 1, bad.length);
        Files.createFile(RawPaths.path(full));
        DirListing l = new DirListing();
        new NioPlatform().readDirectory(dir, Platform.WANT_STAT, l);
        assertEquals(1, l.count());
        assertArrayEquals(bad, l.name(0));
        assertArrayEquals(full, RawPaths.bytes(RawPaths.path(full)));
    }

    @Test
    void statFieldsMatchTheFileSystem() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "hello");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        Stat s = new Stat();
        new NioPlatform().stat(b(f.toString()), false, s);
        assertEquals(FileType.FILE, s.type);
        assertEquals(5, s.size);
        assertEquals(0100640, s.mode);
        assertEquals(((Number) Files.getAttribute(f, "unix:ino")).longValue(), s.ino);
        assertEquals(1, s.nlink);
    }

    /**
     * Every stat field of a listed entry, not only the root's: the directory stream hands back a
     * wrapper of the struct stat, and read through the portable API its "creation time" (the
     * mtime on Linux) had stood in for the ctime. An mtime set a day back makes them differ.
     */
    @Test
    void listedEntriesCarryTheRealCtimeAndOwner() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "hello");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L));
        Map<String, Object> unix = Files.readAttributes(f, "unix:ctime,lastModifiedTime,ino,dev,nlink,uid,gid,mode",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        DirListing l = new DirListing();
        new NioPlatform().readDirectory(b(tmp.toString()), Platform.WANT_STAT, l);
        assertEquals(1, l.count());
        long ctime = ((java.nio.file.attribute.FileTime) unix.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long mtime = ((java.nio.file.attribute.FileTime) unix.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        assertTrue(ctime - mtime > 3_600_000_000_000L, "the test needs ctime and mtime apart");
        assertEquals(ctime, l.ctimeSec(0) * 1_000_000_000L + l.ctimeNsec(0));
        assertEquals(mtime, l.mtimeSec(0) * 1_000_000_000L + l.mtimeNsec(0));
        assertEquals(((Number) unix.get("ino")).longValue(), l.ino(0));
        assertEquals(((Number) unix.get("dev")).longValue(), l.dev(0));
        assertEquals(((Number) unix.get("uid")).intValue(), l.uid(0));
        assertEquals(((Number) unix.get("gid")).intValue(), l.gid(0));
        assertEquals(((Number) unix.get("mode")).intValue(), l.mode(0));
    }

    @Test
    void missingPathsThrowWithErrno() {
        FsException e = assertThrows(FsException.class,
                () -> new NioPlatform().readDirectory(b(tmp.resolve("nope").toString()), 0, new DirListing()));
        assertEquals("ENOENT", e.errno());
        e = assertThrows(FsException.class, () -> new NioPlatform().stat(b(tmp.resolve("nope").toString()), true, new Stat()));
        assertEquals("ENOENT", e.errno());
    }

    @Test
    void sortIsByUnsignedBytes() throws Exception {
        for (String n : new String[] {"b", "a-b", "a", "é", "Z"}) {
            Files.createFile(tmp.resolve(n));
        }
        DirListing l = new DirListing();
        new NioPlatform().readDirectory(b(tmp.toString()), 0, l);
        l.sortByName();
        Map<Integer, String> got = new TreeMap<>();
        for (int i = 0; i < l.count(); i++) {
            got.put(i, new String(l.name(i), StandardCharsets.UTF_8));
        }
        assertEquals("{0=Z, 1=a, 2=a-b, 3=b, 4=é}", got.toString());
    }

    @Test
    void sortMatchesAFullByteCompareAndMovesTheStats() {
        // names that share 6-byte prefixes (decided past the packed key), are prefixes of each
        // other, or start with bytes >= 0x80 (unsigned order through a signed sort)
        java.util.Random rnd = new java.util.Random(11);
        byte[][] stems = {"IMG_0".getBytes(StandardCharsets.US_ASCII), "IMG_00".getBytes(StandardCharsets.US_ASCII),
                "abcdefgh".getBytes(StandardCharsets.US_ASCII), {(byte) 0xc3, (byte) 0xa9}, {(byte) 0xff}, {}};
        DirListing l = new DirListing(); // reused, as walks reuse listings (and its sort scratch)
        for (int round = 0; round < 20; round++) {
            l.clear(true); // a listing with stats, as a stat walk reads it
            java.util.Set<String> seen = new java.util.HashSet<>();
            int n = 1 + rnd.nextInt(300);
            java.util.List<byte[]> added = new java.util.ArrayList<>();
            while (added.size() < n) {
                byte[] stem = stems[rnd.nextInt(stems.length)];
                byte[] name = java.util.Arrays.copyOf(stem, stem.length + rnd.nextInt(4));
                for (int k = stem.length; k < name.length; k++) {
                    name[k] = (byte) (1 + rnd.nextInt(255));
                }
                if (name.length == 0 || !seen.add(java.util.HexFormat.of().formatHex(name))) {
                    continue;
                }
                l.add(name, 0, name.length, FileType.FILE);
                added.add(name);
            }
            l.reserveStat();
            for (int i = 0; i < l.count(); i++) {
                Stat st = new Stat();
                st.type = FileType.FILE;
                st.size = i; // the entry's insertion index, to check that stats follow their names
                st.mtimeSec = 1000L + i;
                l.setStat(i, st);
                if (i % 7 == 3) {
                    l.setError(i, "E" + i);
                }
                if (i % 5 == 1) {
                    l.setLink(i, DirListing.FOLLOWED);
                }
            }
            l.sortByName();
            Stat st = new Stat();
            for (int i = 0; i < l.count(); i++) {
                int was = (int) l.size(i);
                assertArrayEquals(added.get(was), l.name(i), "stat moved with its name");
                l.stat(i, st);
                assertEquals(1000L + was, st.mtimeSec, "every stat field moved with its name");
                assertEquals(was % 7 == 3 ? "E" + was : null, l.errno(i), "error moved with its name");
                assertEquals(was % 5 == 1 ? DirListing.FOLLOWED : DirListing.NOT_LINK, l.link(i), "link state moved");
                if (i > 0) {
                    assertTrue(java.util.Arrays.compareUnsigned(l.name(i - 1), l.name(i)) < 0, "round " + round);
                }
            }
        }
    }
}
