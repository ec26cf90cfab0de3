package pyfsjvm.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The BLAKE3 kernels on one 2 MiB segment held in a direct buffer (L2-sized, as the file hasher
 * reads), one thread: {@code subtreeCv} is what {@code hash_file} runs per segment of a big file,
 * {@code update} the streaming API. Scores are microseconds per 2 MiB (2097 us = 1 GB/s).
 *
 * <p>{@link Blake3KernelBenchmark}: the scalar kernel and the vector one this JDK and CPU select,
 * with its round methods (its fork turns the switch off). {@link Blake3RegisterRoundsBenchmark}:
 * the vector kernel after the switch to the seven-round method, which the setup waits for and which
 * needs the launcher's compiler directive ({@code bench/hash.py --jmh} passes the launcher's JVM
 * flags with {@code -jvmArgsPrepend}; without them the setup fails rather than measure something
 * else).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class Blake3Benchmarks {
    private static final int SEGMENT = 2 << 20;

    private ByteBuffer data;
    private Blake3Kernel k;
    private Blake3Hasher hasher;
    private final int[] cv = new int[8];
    private long segment;

    /** "scalar", "vector" (round methods) or "vector-register". */
    abstract String kernel();

    @Setup
    public void setUp() throws InterruptedException {
        String kernel = kernel();
        byte[] bytes = new byte[SEGMENT];
        new Random(1).nextBytes(bytes);
        data = ByteBuffer.allocateDirect(SEGMENT).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip();
        k = "scalar".equals(kernel) ? Blake3Kernel.scalar() : Blake3Kernel.get();
        hasher = Blake3Hasher.withKernel(k);
        if ("vector-register".equals(kernel)) {
            if (!Blake3RegisterRounds.ENABLED || !(k instanceof Blake3VectorKernel)) {
                throw new IllegalStateException("register rounds need a vector kernel and the launcher's "
                        + "compiler directive (-Dpyfsjvm.hash.registerRounds=true with -XX:CompilerDirectivesFile)");
            }
            Blake3RoundsSwitch.warmUp();
            if (!"on".equals(Blake3RoundsSwitch.await(120_000))) {
                throw new IllegalStateException("register rounds: " + Blake3RoundsSwitch.state());
            }
        }
    }

    @Benchmark
    public int subtreeCv() {
        hasher.subtreeCv(data, 0, SEGMENT, (segment++ & 1023) * (SEGMENT / Blake3.CHUNK_LEN), cv);
        return cv[0];
    }

    @Benchmark
    public byte[] update() {
        Blake3Hasher h = Blake3Hasher.withKernel(k);
        h.update(data.duplicate());
        return h.digest();
    }
}
