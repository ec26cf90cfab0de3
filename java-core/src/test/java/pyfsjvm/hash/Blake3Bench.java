package pyfsjvm.hash;

import java.util.Random;

/**
 * In-process BLAKE3 kernel benchmark (not a test): {@code java --add-modules jdk.incubator.vector
 * -cp target/classes:target/test-classes pyfsjvm.hash.Blake3Bench [MiB] [rounds]}. Hashes one
 * in-memory buffer with each kernel this JVM has, after warm-up, and prints GB/s (1e9 B/s).
 */
public final class Blake3Bench {
    private Blake3Bench() {}

    public static void main(String[] args) {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] data = new byte[mib << 20];
        new Random(1).nextBytes(data);
        for (Blake3Kernel k : Blake3VectorsTest.kernels()) {
            Blake3Hasher h = Blake3Hasher.withKernel(k);
            double best = 0;
            double bestCpu = 0;
            java.lang.management.ThreadMXBean tb = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < rounds + 2; r++) {
                long c0 = tb.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int off = 0; off < data.length; off += 1 << 20) {
                    h.update(data, off, Math.min(1 << 20, data.length - off));
                }
                h.digest();
                double gbs = data.length / (double) (System.nanoTime() - t0);
                double cpu = data.length / (double) (tb.getCurrentThreadCpuTime() - c0);
                if (r >= 2) {
                    best = Math.max(best, gbs);
                    bestCpu = Math.max(bestCpu, cpu);
                }
            }
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long a0 = mx.getCurrentThreadAllocatedBytes();
            int[] out = new int[8 * 64];
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(data);
            k.hashChunks(bb, 0, 64, Blake3.IV, 0, 0, out, 0);
            long a1 = mx.getCurrentThreadAllocatedBytes();
            h.update(data, 0, 1 << 20);
            long a2 = mx.getCurrentThreadAllocatedBytes();
            System.out.printf("%-12s %.2f GB/s wall, %.2f GB/s of CPU time (best of %d, %d MiB); "
                    + "allocated: %d B per 64 chunks, %d B per MiB update%n",
                    k.name(), best, bestCpu, rounds, mib, a1 - a0, a2 - a1);
        }
        long t0 = System.nanoTime();
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (int r = 0; r < 3; r++) {
                t0 = System.nanoTime();
                md.update(data);
                md.digest();
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        System.out.printf("%-12s %.2f GB/s%n", "sha256", data.length / (double) (System.nanoTime() - t0));
    }
}
