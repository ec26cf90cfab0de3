package pyfsjvm.hash;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A read-only mapping of part of a file, confined to the thread that made it and unmapped when
 * closed. On JDK 22+ this is {@code FileChannel.map} into an {@code Arena} ({@code ArenaMappedFile});
 * JDK 17 has no way to unmap a {@link java.nio.MappedByteBuffer} short of the GC, so
 * {@link #available()} is false there and callers read instead. A file truncated while mapped makes
 * the next access to the lost pages fail with SIGBUS, which the JVM raises as an
 * {@link InternalError} in the accessing thread: callers turn that into the file's error (see
 * {@link Blake3FileTree}).
 */
interface MappedFile extends AutoCloseable {
    /** The mapped bytes as a little-endian buffer, valid until {@link #close}. */
    ByteBuffer buffer();

    /** Unmaps. */
    @Override
    void close();

    /** Whether {@link #map} can map on this JVM. */
    static boolean available() {
        return Factory.MAP != null;
    }

    /**
     * {@code len} bytes of {@code ch} from {@code off} mapped read-only, or null where this JVM
     * cannot unmap promptly (JDK < 22) or that part cannot be mapped (the file is now shorter, or
     * its file system does not map).
     */
    static MappedFile map(FileChannel ch, long off, long len) {
        if (Factory.MAP == null) {
            return null;
        }
        try {
            return (MappedFile) Factory.MAP.invoke(ch, off, len);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("mapping failed unexpectedly", e);
        }
    }

    /** Finds {@code ArenaMappedFile.map} once; null on JDK < 22 or a jar without it. */
    final class Factory {
        private Factory() {}

        static final MethodHandle MAP = find();

        private static MethodHandle find() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                Class<?> c = Class.forName("pyfsjvm.hash.ArenaMappedFile");
                return MethodHandles.lookup()
                        .findStatic(c, "map", MethodType.methodType(c, FileChannel.class, long.class, long.class))
                        .asType(MethodType.methodType(MappedFile.class, FileChannel.class, long.class, long.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
