package pyfsjvm.copy;

import pyfsjvm.bridge.Workers;
import pyfsjvm.platform.NativeCopy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Lets the files that copies replace be freed on other threads.
 *
 * <p>Renaming a finished copy over an old file frees the old file inside {@code rename(2)}, on the
 * copying thread: its blocks are released and, on a file system mounted with {@code discard},
 * discarded synchronously, one device round trip per file. In the sync bench (1,000 small files
 * replaced) the copy threads spent most of their time waiting in {@code blkdev_issue_discard}, and
 * other copies into the same directories waited for them on the directory's lock. A
 * {@link FileCopier} given a {@code Releases} holds the old file ({@link NativeCopy#hold}, an
 * {@code O_PATH} descriptor) across the rename, so the freeing happens at the last close, which
 * this runs on a few pool threads while the copies go on. A sync's deletions go the same way:
 * hold, unlink, release later.
 *
 * <p>{@link #close} waits for every release: nothing outlives the operation, and a process that
 * dies meanwhile loses nothing (the kernel closes its descriptors, which frees the files).
 *
 * <p>Only for local block-device file systems ({@link #helpsOn}). On NFS a file renamed over
 * while something holds it is "silly-renamed" to a visible {@code .nfsXXXX} name and removed by
 * another round trip later, which would cost more than it saves; tmpfs frees without any I/O.
 */
public final class Releases implements AutoCloseable {
    /** Threads releasing at once: each mostly waits for the device (16 measured a little ahead of 4). */
    private static final int THREADS = 16;
    /** Handles waiting at most: past this the copying thread releases its own (descriptors are finite). */
    private static final int MAX_HELD = 256;
    private static final Integer STOP = -1;

    private final NativeCopy nc;
    private final LinkedBlockingQueue<Integer> held = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(MAX_HELD);
    private final List<Future<?>> drains = new ArrayList<>();

    public Releases(NativeCopy nc) {
        this.nc = nc;
        for (int i = 0; i < THREADS; i++) {
            drains.add(Workers.pool().submit(this::drain));
        }
    }

    /** File systems whose freeing may wait for the device (FileStore.type() names). */
    private static final java.util.Set<String> LOCAL_BLOCK = java.util.Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs");

    /** Whether the directory {@code dir} is on a file system where {@code Releases} helps. */
    public static boolean helpsOn(java.nio.file.Path dir) {
        try {
            return LOCAL_BLOCK.contains(java.nio.file.Files.getFileStore(dir).type());
        } catch (java.io.IOException | SecurityException e) {
            return false; // not worth an error: the copies then free what they replace themselves
        }
    }

    /**
     * Releases for files replaced or removed under {@code dir}, or null where they would not help:
     * no native platform layer, or a file system that frees without waiting on the device.
     */
    public static Releases where(java.nio.file.Path dir) {
        NativeCopy nc = pyfsjvm.platform.Platform.get().nativeCopy();
        return nc != null && helpsOn(dir) ? new Releases(nc) : null;
    }

    /** An operation that removes a file's last name (a rename over it, an unlink). */
    @FunctionalInterface
    public interface Unlink<E extends Exception> {
        void run() throws E;
    }

    /**
     * Runs {@code unlink} while holding the file {@code path} names (not following a symlink), so
     * that the file it frees is freed on this object's threads instead of inside {@code unlink}.
     */
    public <E extends Exception> void freeing(byte[] path, Unlink<E> unlink) throws E {
        int handle = nc.hold(path);
        try {
            unlink.run();
        } finally {
            later(handle);
        }
    }

    /** Releases {@code handle} soon, on another thread (now, on this one, if too many are waiting). */
    private void later(int handle) {
        if (handle < 0) {
            return;
        }
        if (room.tryAcquire()) {
            held.add(handle);
        } else {
            nc.release(handle);
        }
    }

    private void drain() {
        while (true) {
            Integer h;
            try {
                h = held.take();
            } catch (InterruptedException e) {
                continue; // only close() ends a drain: every handle must be released
            }
            if (h.equals(STOP)) {
                return;
            }
            try {
                nc.release(h);
            } finally {
                room.release();
            }
        }
    }

    /** Waits until every handle passed to {@link #later} is released. */
    @Override
    public void close() {
        for (int i = 0; i < THREADS; i++) {
            held.add(STOP);
        }
        // an interrupt does not end the wait: the releases are quick, and must not outlive us; a
        // failed close(2) frees the file all the same
        if (Workers.awaitAll(drains, () -> { }, cause -> { })) {
            Thread.currentThread().interrupt();
        }
    }
}
