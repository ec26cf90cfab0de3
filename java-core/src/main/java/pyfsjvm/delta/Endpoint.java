package pyfsjvm.delta;

import java.io.IOException;

import pyfsjvm.bridge.Cancel;
import pyfsjvm.hash.HashAlgorithm;

/** One side of a transfer: a local file or a file on a pdiffcopy-compatible server. */
public interface Endpoint {
    /** The file's size, or -1 if it does not exist (looked up once, then remembered). */
    long size() throws IOException;

    /**
     * Block hashes of the file into {@code sink}, computed with {@code concurrency} threads (local)
     * or by the server ({@code method} is the name sent on the wire, {@code algorithm} its local
     * implementation, null when no local side can hash it).
     */
    void hashes(int blockSize, String method, HashAlgorithm algorithm, int concurrency, Cancel cancel,
                BlockHashes.Sink sink) throws IOException, InterruptedException;

    /** Reads up to {@code buf.length} bytes at {@code offset}; returns how many (short only at EOF). */
    int read(long offset, byte[] buf) throws IOException;

    void write(long offset, byte[] buf, int len) throws IOException;

    /** Creates the file (and missing parents) if needed and makes it {@code size} bytes long. */
    void resize(long size) throws IOException;

    /** Makes what was written durable and visible (atomic rename for a staged local target). */
    default void commit() throws IOException {}

    /** Drops what a staged target wrote so far; the original file stays as it was. */
    default void abort() {}

    /** For messages: "local file X" / "remote file X on host:port". */
    String label();

    boolean isRemote();
}
