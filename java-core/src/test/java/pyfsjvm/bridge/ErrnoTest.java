package pyfsjvm.bridge;

import org.junit.jupiter.api.Test;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrnoTest {
    @Test
    void nioExceptionsMapToErrnoNames() {
        assertEquals("ENOENT", Errno.of(new NoSuchFileException("/x")));
        assertEquals("EACCES", Errno.of(new AccessDeniedException("/x")));
        assertEquals("ELOOP", Errno.of(new FileSystemException("/x", null, "Too many levels of symbolic links")));
        assertEquals("ENOSPC", Errno.of(new FileSystemException("/x: No space left on device")));
        assertEquals("EIO", Errno.of(new FileSystemException("/x", null, "something odd")));
    }

    @Test
    void fsExceptionKeepsRawPathAndReason() {
        byte[] raw = {'/', (byte) 0xff};
        FsException e = FsException.from(new AccessDeniedException("ignored"), raw);
        assertEquals("EACCES", e.errno());
        assertEquals("Permission denied", e.reason());
        assertEquals(raw, e.path());
    }
}
