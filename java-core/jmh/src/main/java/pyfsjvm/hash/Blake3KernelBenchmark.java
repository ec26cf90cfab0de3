package pyfsjvm.hash;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;

/** The scalar and vector kernels, the vector one with its round methods (see {@link Blake3Benchmarks}). */
@Fork(value = 1, jvmArgsAppend = {"-Dpyfsjvm.hash.registerRounds=false"})
public class Blake3KernelBenchmark extends Blake3Benchmarks {
    @Param({"vector", "scalar"})
    public String kernel;

    @Override
    String kernel() {
        return kernel;
    }
}
