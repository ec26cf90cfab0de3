package pyfsjvm.hash;

import org.openjdk.jmh.annotations.Fork;

/** The vector kernel once it runs the seven rounds in one method (see {@link Blake3Benchmarks}). */
@Fork(value = 1, jvmArgsAppend = {"-Dpyfsjvm.hash.registerRounds=true"})
public class Blake3RegisterRoundsBenchmark extends Blake3Benchmarks {
    @Override
    String kernel() {
        return "vector-register";
    }
}
