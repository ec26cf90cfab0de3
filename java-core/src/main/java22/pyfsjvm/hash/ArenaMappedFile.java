package pyfsjvm.hash;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * {@link MappedFile} on JDK 22+: the mapping belongs to a confined {@link Arena}, so {@link #close}
 * unmaps at once and without a handshake with other threads. (A {@code MappedByteBuffer} stays
 * mapped until the GC finds it: a big file hashed 2 MiB at a time would pile up thousands.)
 */
final class ArenaMappedFile implements MappedFile {
    private final Arena arena;
    private final MemorySegment segment;

    private ArenaMappedFile(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /** Called by name from {@link MappedFile#map}. */
    static ArenaMappedFile map(FileChannel ch, long off, long len) throws IOException {
        Arena arena = Arena.ofConfined();
        try {
            return new ArenaMappedFile(arena, ch.map(FileChannel.MapMode.READ_ONLY, off, len, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public ByteBuffer buffer() {
        return segment.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        arena.close();
    }
}
