package pyfsjvm.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.bridge.FsException;
import pyfsjvm.hash.HashAlgorithm;

/**
 * Block hashes of files that have not changed since they were last hashed, kept in memory (LRU,
 * bounded). The usual pdiffcopy workload re-syncs the same big source (a VM image, a database
 * dump) to one or more targets; hashing it again costs as much as the whole delta sync.
 *
 * <p>A file is "unchanged" when its device, inode, size, mtime and ctime (nanoseconds) are all the
 * same. Any write changes ctime, and nothing but a raw-device write can avoid that. The racy case,
 * a write within the same timestamp tick as the one we saw, is handled as git does: a file is only
 * cached when its mtime and ctime are at least {@link #racyNanos} older than the moment hashing
 * began, and when its stat is the same after hashing as before.
 */
final class HashCache {
    private HashCache() {}

    private static final long MAX_BLOCKS = 1L << 20;
    private static volatile long racyNanos = TimeUnit.SECONDS.toNanos(2);
    private static long cachedBlocks;
    private static final java.util.concurrent.atomic.AtomicLong HITS = new java.util.concurrent.atomic.AtomicLong();

    record Key(Object fileKey, long size, long mtime, long ctime, int blockSize, String algorithm) {}

    private static final LinkedHashMap<Key, byte[][]> LRU = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, byte[][]> eldest) {
            if (cachedBlocks > MAX_BLOCKS || size() > 64) {
                cachedBlocks -= eldest.getValue().length;
                return true;
            }
            return false;
        }
    };

    /** For tests: how old a file's timestamps must be before its hashes are kept. */
    static void setRacyNanos(long nanos) {
        racyNanos = nanos;
    }

    /** How many hash requests the cache answered (for tests and the server's statistics). */
    static long hits() {
        return HITS.get();
    }

    static synchronized void clear() {
        LRU.clear();
        cachedBlocks = 0;
    }

    private static Key key(Path p, int blockSize, HashAlgorithm algorithm) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            Object fileKey = a.get("dev") + ":" + a.get("ino");
            return new Key(fileKey, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                    nanos((FileTime) a.get("ctime")), blockSize, algorithm.name());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return null; // no unix attributes here: no cache
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /**
     * {@link BlockHashes#compute}, served from the cache when the file is unchanged since it was
     * last hashed with the same block size and algorithm (then {@code sink} gets the digests at once).
     */
    static void compute(Path file, long size, int blockSize, HashAlgorithm algorithm, int threads, Cancel cancel,
                        BlockHashes.Sink sink) throws FsException, InterruptedException {
        Path real = file;
        Key before = key(real, blockSize, algorithm);
        byte[][] hit = null;
        if (before != null && before.size() == size) {
            synchronized (HashCache.class) {
                hit = LRU.get(before);
            }
        }
        if (hit != null) {
            HITS.incrementAndGet();
            for (int i = 0; i < hit.length; i++) {
                cancel.check();
                sink.accept(i, hit[i]);
            }
            return;
        }
        long started = System.currentTimeMillis() * 1_000_000L;
        long count = BlockHashes.blockCount(size, blockSize);
        boolean keep = before != null && before.size() == size && count <= MAX_BLOCKS
                && started - Math.max(before.mtime(), before.ctime()) >= racyNanos;
        byte[][] all = keep ? new byte[(int) count][] : null;
        BlockHashes.compute(file, size, blockSize, algorithm, threads, cancel, keep ? (i, d) -> {
            all[i] = d;
            sink.accept(i, d);
        } : sink);
        if (keep && before.equals(key(real, blockSize, algorithm))) {
            synchronized (HashCache.class) {
                if (LRU.put(before, all) == null) {
                    cachedBlocks += all.length;
                }
            }
        }
    }
}
