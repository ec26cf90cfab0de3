package pyfsjvm.watch;

import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Log;
import pyfsjvm.bridge.Task;
import pyfsjvm.walk.Glob;

/** Entry points called from pyfs_jvm/watch.py. Arguments were validated in Python already. */
public final class WatchApi {
    private WatchApi() {}

    /** Validates one ignore glob (throws the globset error text). */
    public static void checkGlob(String glob) throws FsException {
        Glob.compile(glob);
    }

    /**
     * A watcher for {@code root} (absolute, raw bytes; a directory, or a file when {@code isFile}),
     * not started yet.
     */
    public static Watcher create(byte[] root, boolean isFile, boolean recursive, long debounceMs, String[] ignore,
                                 boolean moves) throws FsException {
        Glob[] globs = new Glob[ignore == null ? 0 : ignore.length];
        for (int i = 0; i < globs.length; i++) {
            globs[i] = Glob.compile(ignore[i]);
        }
        return new Watcher(newSource(), root, isFile, recursive, debounceMs, globs, moves);
    }

    /** Registers and lists the tree as a cancellable task; the watcher runs once it is done. */
    public static Task<Void> start(Watcher w) {
        return new Task<Void>() {
            @Override
            protected Void compute() throws Exception {
                w.begin(cancel);
                return null;
            }
        }.start();
    }

    /**
     * inotify through FFM where the platform layer is FFM (Linux, JDK >= 22, native access), else
     * WatchService. {@code PYFS_JVM_WATCH=watchservice} (property {@code pyfsjvm.watch}) forces the
     * portable one, as {@code PYFS_JVM_PLATFORM=nio} does.
     */
    static EventSource newSource() throws FsException {
        String forced = System.getProperty("pyfsjvm.watch", System.getenv("PYFS_JVM_WATCH"));
        if (!"watchservice".equals(forced) && "ffm-linux".equals(pyfsjvm.platform.Platform.get().name())) {
            try {
                Class<?> c = Class.forName("pyfsjvm.watch.InotifySource");
                return (EventSource) c.getDeclaredConstructor().newInstance();
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof FsException fe) {
                    throw fe;
                }
                Log.log(Log.WARNING, "watch", "inotify through FFM unavailable, using WatchService: " + e.getCause(), null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Log.log(Log.WARNING, "watch", "inotify through FFM unavailable, using WatchService: " + e, null);
            }
        }
        return new WatchServiceSource();
    }

    /** Which source a new watcher gets ("inotify" or "watchservice"), for runtime_info and tests. */
    public static String backend() throws FsException {
        EventSource s = newSource();
        s.release();
        return s.name();
    }
}
