package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * The switch to the seven-round method: it happens (C2 compiles it under the launcher's compiler
 * directive, which the surefire configuration passes too), and afterwards every kernel still gives
 * the official vectors and agrees with the scalar one. Without a vector kernel it stays off.
 */
class Blake3RegisterRoundsTest {
    @Test
    void switchesOnceC2HasCompiledItAndTheVectorsStillHold() throws IOException, InterruptedException {
        assertTrue(Blake3RegisterRounds.ENABLED, "surefire passes the directive and its property (pom.xml jvm.flags)");
        if (!(Blake3Kernel.get() instanceof Blake3VectorKernel)) {
            assertEquals("off", HashApi.blake3RegisterRounds()); // no vector kernel on this CPU/JDK: nothing to switch
            return;
        }
        assertEquals("waiting", HashApi.blake3RegisterRounds()); // no test here hashes 4 GiB on a thread
        Blake3RoundsSwitch.warmUp();
        assertEquals("on", HashApi.awaitBlake3RegisterRounds(600_000)); // pom.xml: gives up after 600 s
        Blake3VectorsTest vectors = new Blake3VectorsTest();
        vectors.everyModeOnEveryKernel();
        vectors.kernelsAgreeOnLargeRandomInputs();
        vectors.lanesOnRunsOfChunksGiveTheSameSubtreeAsNeighbouringChunks();
    }
}
