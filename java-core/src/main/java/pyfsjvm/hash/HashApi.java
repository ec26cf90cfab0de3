package pyfsjvm.hash;

import java.util.List;

import pyfsjvm.bridge.Stream;

/** Entry points called from pyfs_jvm/_hash.py. Arguments were validated in Python already. */
public final class HashApi {
    private HashApi() {}

    /**
     * Starts hashing the NUL-terminated raw paths in {@code pathBlob} and returns the stream of
     * results (layout in {@link ParallelHasher}). An unknown algorithm throws before anything starts.
     */
    public static Stream hashFiles(byte[] pathBlob, String algorithm, int bufferSize, int threads) {
        HashAlgorithm a = HashAlgorithm.of(algorithm);
        return (Stream) new ParallelHasher(ParallelHasher.splitPaths(pathBlob), a, bufferSize, threads).start();
    }

    /** A streaming hasher (Python's {@code new_hasher}); an unknown name throws. */
    public static Hasher newHasher(String algorithm) {
        return HashAlgorithm.of(algorithm).newHasher();
    }

    /** The BLAKE3 kernel this JVM uses ("scalar", "vector-512", ...). */
    public static String blake3Kernel() {
        return Blake3Hasher.kernelName();
    }

    /**
     * Whether BLAKE3 runs its seven rounds in one method ({@code Blake3RegisterRounds}): "off"
     * (no compiler directive for it in this JVM, or no vector kernel), "waiting" (not enough
     * hashing yet to be worth compiling), "compiling", "on", or "gave up".
     */
    public static String blake3RegisterRounds() {
        // checked here, not in Blake3RoundsSwitch: initializing that class needs the Vector API,
        // which a JVM started without the incubator module lacks
        return Blake3Kernel.get() instanceof Blake3VectorKernel ? Blake3RoundsSwitch.state() : "off";
    }

    /**
     * Waits up to {@code millis} for the switch to the seven-round method, if it is compiling, and
     * returns {@link #blake3RegisterRounds()} (benchmarks measure the steady state after it).
     */
    public static String awaitBlake3RegisterRounds(long millis) throws InterruptedException {
        return Blake3Kernel.get() instanceof Blake3VectorKernel ? Blake3RoundsSwitch.await(millis) : "off";
    }

    /** Every supported algorithm name, the default first. */
    public static String[] algorithms() {
        List<String> names = HashAlgorithm.names();
        return names.toArray(new String[0]);
    }
}
