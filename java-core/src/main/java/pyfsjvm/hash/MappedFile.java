package pyfsjvm.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A read-only mapping of the first bytes of a file, unmapped when closed. On JDK 22+ this is
 * {@code FileChannel.map} into an {@code Arena} ({@code ArenaMappedFile}); JDK 17 has no way to unmap
 * a {@link java.nio.MappedByteBuffer} short of the GC, so {@link #map} returns null there and callers
 * read instead. A file truncated while mapped makes the next access to the lost pages fail with
 * SIGBUS, which the JVM raises as an {@link InternalError} in the accessing thread: callers turn that
 * into the file's error (see {@link Blake3FileTree}).
 */
interface MappedFile extends AutoCloseable {
    /** {@code len} bytes from {@code off} as a little-endian buffer (valid until {@link #close}). */
    ByteBuffer slice(long off, int len);

    /** Unmaps; no slice may be in use by any thread. */
    @Override
    void close();

    /**
     * The first {@code size} bytes of {@code ch} mapped read-only, or null where this JVM cannot
     * unmap promptly (JDK < 22) or the file cannot be mapped (e.g. it is now shorter than
     * {@code size}, or its file system does not map).
     */
    static MappedFile map(FileChannel ch, long size) {
        if (Factory.MAP == null) {
            return null;
        }
        try {
            return (MappedFile) Factory.MAP.invoke(ch, size);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("mapping failed unexpectedly", e);
        }
    }

    /** Finds {@code ArenaMappedFile.map} once; null on JDK < 22 or a jar without it. */
    final class Factory {
        private Factory() {}

        static final java.lang.invoke.MethodHandle MAP = find();

        private static java.lang.invoke.MethodHandle find() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                Class<?> c = Class.forName("pyfsjvm.hash.ArenaMappedFile");
                return java.lang.invoke.MethodHandles.lookup().findStatic(c, "map",
                        java.lang.invoke.MethodType.methodType(c, FileChannel.class, long.class))
                        .asType(java.lang.invoke.MethodType.methodType(MappedFile.class, FileChannel.class,
                                long.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
