package pyfsjvm.hash;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * In-process benchmark of the BLAKE3 kernels (and the JDK's SHA-256) on one in-memory buffer,
 * called by {@code bench/hash.py} or run as {@code java --add-modules jdk.incubator.vector -cp JAR
 * pyfsjvm.hash.Blake3Bench [MiB] [rounds]}. Each kernel hashes the buffer in 1 MiB updates after
 * two warm-up rounds; the figures are the best round, in GB/s (1e9 B/s) of wall time and of this
 * thread's CPU time (the latter is what to compare on a shared, busy machine). It also reports the
 * bytes allocated per MiB hashed, which must stay near zero: a kernel that boxes its vectors
 * allocates kilobytes per chunk and runs 10x slower.
 */
public final class Blake3Bench {
    private Blake3Bench() {}

    public static void main(String[] args) {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.print(run(mib, rounds));
    }

    /** The report, one line per kernel plus SHA-256. */
    public static String run(int mib, int rounds) {
        byte[] data = new byte[mib << 20];
        new Random(1).nextBytes(data);
        List<Blake3Kernel> kernels = new ArrayList<>();
        kernels.add(Blake3Kernel.scalar());
        if (Blake3Kernel.get() != Blake3Kernel.scalar()) {
            kernels.add(Blake3Kernel.get());
        }
        StringBuilder out = new StringBuilder();
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        for (Blake3Kernel k : kernels) {
            Blake3Hasher h = Blake3Hasher.withKernel(k);
            double[] best = time(rounds, tb, data, () -> {
                for (int off = 0; off < data.length; off += 1 << 20) {
                    h.update(data, off, Math.min(1 << 20, data.length - off));
                }
                h.digest();
            });
            long allocated = allocatedPerMiB(h, data);
            out.append(String.format("blake3 %-11s %6.2f GB/s wall %6.2f GB/s CPU   %d B allocated per MiB%n",
                    k.name(), best[0], best[1], allocated));
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            double[] best = time(rounds, tb, data, () -> md.digest(data));
            out.append(String.format("sha256 %-11s %6.2f GB/s wall %6.2f GB/s CPU%n", "jdk", best[0], best[1]));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static double[] time(int rounds, ThreadMXBean tb, byte[] data, Runnable r) {
        double wall = 0;
        double cpu = 0;
        for (int i = 0; i < rounds + 2; i++) {
            long c0 = tb.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            r.run();
            long t1 = System.nanoTime();
            long c1 = tb.getCurrentThreadCpuTime();
            if (i >= 2) {
                wall = Math.max(wall, data.length / (double) (t1 - t0));
                cpu = Math.max(cpu, data.length / (double) (c1 - c0));
            }
        }
        return new double[] {wall, cpu};
    }

    private static long allocatedPerMiB(Blake3Hasher h, byte[] data) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)) {
            return -1;
        }
        long a0 = mx.getCurrentThreadAllocatedBytes();
        h.update(data, 0, 1 << 20);
        long a1 = mx.getCurrentThreadAllocatedBytes();
        h.reset();
        return a1 - a0;
    }
}
