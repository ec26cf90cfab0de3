package pyfsjvm.watch;

import pyfsjvm.bridge.FsException;
import pyfsjvm.platform.RawPaths;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The portable source: {@link WatchService} (inotify underneath on Linux, one key per directory).
 * It has no rename cookies (a rename arrives as DELETE + CREATE; {@link Watcher} pairs them by
 * inode), no IN_ISDIR, and merges IN_MODIFY and IN_ATTRIB. A lost key (directory deleted or
 * unmounted) shows as {@code IN_IGNORED}; the JDK's own overflow (512 events pending on one key,
 * or the kernel's IN_Q_OVERFLOW) as {@code IN_Q_OVERFLOW} for that key.
 */
public final class WatchServiceSource implements EventSource {
    private final WatchService service;
    private final Map<WatchKey, Integer> ids = new HashMap<>();
    private final Map<Integer, WatchKey> keys = new HashMap<>();
    private int nextId = 1;

    public WatchServiceSource() throws FsException {
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw limitOrIo(e, null, true);
        }
    }

    @Override
    public String name() {
        return "watchservice";
    }

    @Override
    public boolean hasCookies() {
        return false;
    }

    @Override
    public boolean knowsDirs() {
        return false;
    }

    @Override
    public int add(byte[] dir) throws FsException {
        Path p = RawPaths.path(dir);
        WatchKey key;
        try {
            key = p.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (ClosedWatchServiceException e) {
            throw new FsException("EBADF", dir, "the watcher was stopped");
        } catch (IOException e) {
            throw limitOrIo(e, dir, false);
        }
        Integer id = ids.get(key);
        if (id == null) {
            id = nextId++;
            ids.put(key, id);
            keys.put(id, key);
        }
        return id;
    }

    @Override
    public void remove(int wd) {
        WatchKey key = keys.remove(wd);
        if (key != null) {
            ids.remove(key);
            key.cancel();
        }
    }

    @Override
    public boolean read(long timeoutMs, Sink sink) throws FsException {
        WatchKey key;
        try {
            key = timeoutMs < 0 ? service.take() : service.poll(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
            while (key != null) {
                deliver(key, sink);
                key = service.poll(); // drain what else is ready, without waiting
            }
            return true;
        } catch (ClosedWatchServiceException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void deliver(WatchKey key, Sink sink) throws FsException {
        Integer id = ids.get(key);
        for (WatchEvent<?> ev : key.pollEvents()) {
            if (id == null) {
                continue;
            }
            WatchEvent.Kind<?> kind = ev.kind();
            if (kind == StandardWatchEventKinds.OVERFLOW) {
                sink.event(id, IN_Q_OVERFLOW, 0, null, 0, 0);
                continue;
            }
            int mask = kind == StandardWatchEventKinds.ENTRY_CREATE ? IN_CREATE
                    : kind == StandardWatchEventKinds.ENTRY_DELETE ? IN_DELETE : IN_MODIFY;
            byte[] name;
            try {
                name = RawPaths.bytes((Path) ev.context());
            } catch (FsException e) { // a name this JVM cannot represent: say so, do not mangle
                sink.event(id, IN_Q_OVERFLOW, 0, null, 0, 0);
                continue;
            }
            for (int i = 0; i < Math.max(1, ev.count()); i++) {
                sink.event(id, mask, 0, name, 0, name.length);
                if (mask != IN_MODIFY) {
                    break;
                }
            }
        }
        if (!key.reset() && id != null) { // the directory went away (or was unmounted)
            ids.remove(key);
            keys.remove(id);
            sink.event(id, IN_IGNORED, 0, null, 0, 0);
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** NIO's message for the inotify limits, mapped to the kernel's errno so callers see one model. */
    static FsException limitOrIo(IOException e, byte[] dir, boolean init) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("User limit of inotify watches")) {
            return new FsException("ENOSPC", dir, "inotify watch limit reached");
        }
        if (msg.contains("User limit of inotify instances") || (init && msg.contains("Too many open files"))) {
            return new FsException("EMFILE", dir, "inotify instance limit reached");
        }
        return FsException.from(e, dir);
    }
}
