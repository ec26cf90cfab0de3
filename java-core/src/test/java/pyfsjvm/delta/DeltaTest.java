package pyfsjvm.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.Task;
import pyfsjvm.hash.HashAlgorithm;

/** The Java core of delta on its own: block hashes, query decoding, the server and a local sync. */
class DeltaTest {
    @TempDir
    Path dir;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void methodNamesFollowHashlib() {
        assertEquals("sha1", BlockHashes.method("SHA-1").name());
        assertEquals("sha3-256", BlockHashes.method("sha3_256").name());
        assertEquals("sha512-224", BlockHashes.method("sha512_224").name());
        assertEquals("blake3", BlockHashes.method("blake3").name());
        assertThrows(IllegalArgumentException.class, () -> BlockHashes.method("shake_128"));
        assertThrows(IllegalArgumentException.class, () -> BlockHashes.method(null));
    }

    @Test
    void blockHashesMatchPerBlockDigests() throws Exception {
        byte[] data = random(10_000, 1);
        Path f = dir.resolve("f");
        Files.write(f, data);
        Map<Integer, byte[]> got = new ConcurrentHashMap<>();
        BlockHashes.compute(f, data.length, 1024, HashAlgorithm.of("sha1"), 4, new Cancel(), got::put);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(data, i * 1024, Math.min(1024, data.length - i * 1024));
            assertArrayEquals(md.digest(), got.get(i));
        }
        assertEquals(BlockHashes.hex(got.get(0)), HexFormat.of().formatHex(got.get(0)));
        assertArrayEquals(got.get(0), BlockHashes.unhex(BlockHashes.hex(got.get(0)).toUpperCase()));
        assertNull(BlockHashes.unhex("xyz1"));
    }

    @Test
    void queryDecodesLikeQuotePlus() throws Exception {
        Query q = new Query("filename=%2Fa+b%2F%C3%A9&size=12");
        assertEquals("/a b/é", q.text("filename"));
        assertEquals(12, q.integer("size", 0, 100));
        assertEquals(400, assertThrows(HttpError.class, () -> q.integer("size", 0, 5)).status);
        assertEquals(400, assertThrows(HttpError.class, () -> new Query("a=%4")).status);
        assertEquals(400, assertThrows(HttpError.class, () -> new Query("a=1&a=2")).status);
        assertEquals("%2Fa+b%C3%A9", RemoteFile.quotePlus("/a bé".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void serverConfinesAndSyncWorksBothWays() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("out"), dir);
        byte[] data = random(3 * 65536 + 5, 2);
        Path src = dir.resolve("src");
        Files.write(src, data);
        DeltaServer server = DeltaServer.create(root.toString().getBytes(StandardCharsets.UTF_8), "127.0.0.1", 0,
                null, false, false, 4, 1 << 20, 4);
        Task<Void> serving = server.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/info?filename=%2Fout%2Fsrc"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode());
            r = http.send(HttpRequest.newBuilder(URI.create(base + "/hashes?filename=%2Fx")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode());

            Endpoint up = DeltaSync.remote(DeltaSync.httpClient(10, 30), "127.0.0.1", server.port(), "/d/t".getBytes(StandardCharsets.UTF_8), null);
            DeltaSync.Result res = run(DeltaSync.start(DeltaSync.local(src.toString().getBytes()), up, 65536,
                    "blake3", true, 3, false, false));
            assertEquals(4, res.blocksCopied());
            assertArrayEquals(data, Files.readAllBytes(root.resolve("d/t")));

            data[70000] ^= 1;
            Files.write(src, data);
            Path local = dir.resolve("local");
            Files.write(local, random(10, 3));
            up = DeltaSync.remote(DeltaSync.httpClient(10, 30), "127.0.0.1", server.port(), "/d/t".getBytes(StandardCharsets.UTF_8), null);
            res = run(DeltaSync.start(DeltaSync.local(src.toString().getBytes()), up, 65536, "sha1", true, 3,
                    false, false));
            assertEquals(1, res.changed());
            assertEquals(3, res.hits());
            Endpoint down = DeltaSync.remote(DeltaSync.httpClient(10, 30), "127.0.0.1", server.port(), "/d/t".getBytes(), null);
            run(DeltaSync.start(down, DeltaSync.local(local.toString().getBytes()), 65536, "sha256", true, 2,
                    false, false));
            assertArrayEquals(data, Files.readAllBytes(local));
            assertTrue(server.requestCount() > 5);
        } finally {
            server.close();
            serving.await(5000);
        }
    }

    @Test
    void hashCacheServesUnchangedFilesAndNoticesChanges() throws Exception {
        HashCache.setRacyNanos(-1_000_000_000_000L); // cache even files written this very millisecond
        HashCache.clear();
        try {
            byte[] data = random(5000, 4);
            Path f = dir.resolve("c");
            Files.write(f, data);
            HashAlgorithm sha1 = HashAlgorithm.of("sha1");
            Map<Integer, byte[]> first = new ConcurrentHashMap<>();
            HashCache.compute(f, data.length, 1000, sha1, 2, new Cancel(), first::put);
            // Same size, same mtime, different content: ctime still moves, so it is noticed.
            java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(f);
            // Let the coarse kernel clock move on, so the rewrite gets a new ctime (the racy case
            // itself is what racyNanos guards against in real use).
            long until = mtime.toMillis() + 20;
            while (System.currentTimeMillis() < until) {
                Thread.onSpinWait();
            }
            data[4500] ^= 1;
            Files.write(f, data);
            Files.setLastModifiedTime(f, mtime);
            Map<Integer, byte[]> second = new ConcurrentHashMap<>();
            long hits = HashCache.hits();
            HashCache.compute(f, data.length, 1000, sha1, 2, new Cancel(), second::put);
            assertEquals(5, second.size());
            assertEquals(hits, HashCache.hits());
            assertTrue(!java.util.Arrays.equals(first.get(4), second.get(4)));
            assertArrayEquals(first.get(0), second.get(0));
            Map<Integer, byte[]> third = new ConcurrentHashMap<>();
            HashCache.compute(f, data.length, 1000, sha1, 2, new Cancel(), third::put);
            assertArrayEquals(second.get(4), third.get(4));
            assertEquals(hits + 1, HashCache.hits());
        } finally {
            HashCache.setRacyNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(2));
            HashCache.clear();
        }
    }

    @Test
    void blockMatchSettlesEveryBlockOnce() {
        java.util.List<Long> changed = new java.util.ArrayList<>();
        BlockMatch m = new BlockMatch(5, 4, changed::add); // block 4 exists in the source only
        byte[] a = {1};
        byte[] b = {2};
        m.target(0, a);
        assertTrue(changed.isEmpty());            // block 0 waits for its source digest
        m.source(0, a);                           // equal: a hit
        m.source(1, a);
        m.target(1, b);                           // different: copied at once
        assertEquals(java.util.List.of(1L), changed);
        m.source(4, b);                           // no target block to wait for
        assertEquals(java.util.List.of(1L, 4L), changed);
        m.source(2, a);
        m.source(2, a);                           // a duplicate line settles it as a miss, once
        m.target(2, a);
        assertEquals(java.util.List.of(1L, 4L, 2L), changed);
        m.source(3, a);                           // its target digest never comes
        m.finish();
        assertEquals(java.util.List.of(1L, 4L, 2L, 3L), changed);
        assertEquals(1, m.hits());
        assertEquals(4, m.misses());
        m.finish();                               // idempotent
        assertEquals(4, changed.size());
    }

    @Test
    void inPlaceSyncCopiesChangedBlocksWhileHashing() throws Exception {
        int block = 4096;
        byte[] data = random(200 * block + 123, 5);
        Path src = dir.resolve("src");
        Files.write(src, data);
        byte[] old = data.clone();
        int[] touched = {0, 7, 99, 150, 200};      // 200: the short last block
        for (int i : touched) {
            old[i * block + 3] ^= 0x5a;
        }
        Path tgt = dir.resolve("tgt");
        Files.write(tgt, old);
        DeltaSync.Result r = run(DeltaSync.start(DeltaSync.local(src.toString().getBytes()),
                DeltaSync.local(tgt.toString().getBytes()), block, "blake3", true, 3, false, true));
        assertEquals(touched.length, r.changed());
        assertEquals(touched.length, r.blocksCopied());
        assertEquals(201 - touched.length, r.hits());
        assertArrayEquals(data, Files.readAllBytes(tgt));
        r = run(DeltaSync.start(DeltaSync.local(src.toString().getBytes()),
                DeltaSync.local(tgt.toString().getBytes()), block, "sha256", true, 2, false, true));
        assertEquals(0, r.changed());
        assertEquals(0, r.blocksCopied());
    }

    private static DeltaSync.Result run(DeltaSync s) throws Exception {
        while (s.await(1000) != Task.DONE) {
            // wait
        }
        return s.result();
    }
}
