package pyfsjvm.bridge;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Per-file failures of an operation as one {@code "ss"} batch for Python: the path, then
 * {@code "ERRNO:reason"} (errno empty for a domain error). Python's {@code _bridge.decode_errors}
 * turns each row into the family's error mixed with the matching OSError.
 */
public final class ErrorBatch {
    private ErrorBatch() {}

    public static byte[] pack(List<FsException> errors) {
        Columns e = new Columns("ss", errors.size());
        synchronized (errors) { // callers pass Collections.synchronizedList
            for (FsException x : errors) {
                e.addRow();
                byte[] path = x.path() == null ? new byte[0] : x.path();
                e.putString(0, path, 0, path.length);
                byte[] text = ((x.errno() == null ? "" : x.errno()) + ":" + x.reason()).getBytes(StandardCharsets.UTF_8);
                e.putString(1, text, 0, text.length);
            }
        }
        return e.pack();
    }
}
