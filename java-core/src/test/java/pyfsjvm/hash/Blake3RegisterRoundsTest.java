package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The switch to the seven-round method: it happens (C2 compiles it under the launcher's compiler
 * directive, which the surefire configuration passes too), and afterwards every kernel still gives
 * the official vectors and agrees with the scalar one.
 */
class Blake3RegisterRoundsTest {
    @Test
    void switchesOnceC2HasCompiledItAndTheVectorsStillHold() throws IOException, InterruptedException {
        assumeTrue(Blake3RegisterRounds.ENABLED, "the directive and its property are not set in this JVM");
        assumeTrue(Blake3Kernel.get() instanceof Blake3VectorKernel, "no vector kernel on this CPU/JDK");
        assertNotEquals("off", Blake3RoundsSwitch.state());
        Blake3RoundsSwitch.warmUp();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Blake3RoundsSwitch.ready() && !"gave up".equals(Blake3RoundsSwitch.state())
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("on", Blake3RoundsSwitch.state());
        Blake3VectorsTest vectors = new Blake3VectorsTest();
        vectors.everyModeOnEveryKernel();
        vectors.kernelsAgreeOnLargeRandomInputs();
        vectors.lanesOnRunsOfChunksGiveTheSameSubtreeAsNeighbouringChunks();
    }
}
