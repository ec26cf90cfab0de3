package pyfsjvm.hash;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When {@link Blake3VectorKernel} moves from its round methods to {@link Blake3RegisterRounds}.
 *
 * <p>C2 takes about 0.7 s of one core to compile the seven rounds (its inlined Vector API code is
 * some 50 KB), the interpreter runs them at about 0.03 GB/s meanwhile, and the callers C2 compiled
 * before the switch are deoptimized once. The switch saves ~0.03 s of two cores per GiB, so it pays
 * only for a job that goes on hashing for another 10-15 GiB: switching at once cost the first
 * {@code hash_files} of 20k small files 0.6 s, and switching after 512 MiB per thread made a one-shot
 * {@code pyfs-jvm hash} of a 3 GiB file 0.3-0.4 s slower. So the switch waits until a thread has
 * hashed {@link #WORK_BEFORE_WARM_UP} groups (4 GiB, {@code -Dpyfsjvm.hash.registerRoundsAfterMiB}),
 * then a daemon thread calls the rounds on a dummy block until C2's code answers, and turns the
 * switch on ({@link #ready()}). The hashing threads keep the round methods meanwhile.
 */
final class Blake3RoundsSwitch {
    private Blake3RoundsSwitch() {
    }

    /** Groups (L chunks of 1 KiB each) one thread hashes before the warm-up starts. */
    static final long WORK_BEFORE_WARM_UP = Long.getLong("pyfsjvm.hash.registerRoundsAfterMiB", 4096)
            * (1 << 20) / ((long) Blake3.CHUNK_LEN * Blake3VectorKernel.L);

    /**
     * A compiled call takes 0.1-0.3 microseconds; an interpreted one 15-60 (the Vector API methods
     * it calls get compiled one by one, so it speeds up in steps), never near this.
     */
    private static final long COMPILED_NANOS_PER_CALL = 2_000;
    /** Consecutive fast batches that prove C2's code runs (not one lucky batch). */
    private static final int FAST_BATCHES = 3;
    private static final int CALLS_PER_BATCH = 16;
    /**
     * The interpreter's invocation count queues the C2 compile after about 3,000 calls; C2 then
     * takes 0.6-0.8 s, during which more calls would only burn a core, so past this count the
     * warm-up checks every few milliseconds instead.
     */
    private static final int CALLS_BEFORE_PACING = 8_192;
    private static final long PACING_MILLIS = 5;
    /**
     * Beyond this the warm-up gives up and the round methods stay (C2 busy, or not compiling it);
     * {@code -Dpyfsjvm.hash.registerRoundsGiveUpSeconds}. The tests that need the switch wait
     * longer: with C2's queue long (a test suite compiling everything at once) its thresholds rise
     * with the queue, and the paced warm-up once took 43 s, and once over 60 s, where it usually
     * takes 1-2 s.
     */
    private static final long GIVE_UP_NANOS =
            TimeUnit.SECONDS.toNanos(Long.getLong("pyfsjvm.hash.registerRoundsGiveUpSeconds", 60));

    /** Where the switch is; only the warm-up thread moves it past COMPILING. */
    private enum State { WAITING, COMPILING, ON, GAVE_UP }

    private static final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
    /** Counted down when the warm-up ends, either way: {@link #await} waits on it. */
    private static final CountDownLatch settled = new CountDownLatch(1);

    /** For {@code runtime_info()}: off, waiting, compiling, on, or gave up. */
    static String state() {
        if (!Blake3RegisterRounds.ENABLED) {
            return "off";
        }
        return state.get().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Whether {@link Blake3RegisterRounds#compress} is compiled and may run (read per block). */
    static boolean ready() {
        return state.get() == State.ON;
    }

    /** Starts the warm-up once (any thread, any number of times). */
    static void warmUp() {
        if (state.get() == State.WAITING && state.compareAndSet(State.WAITING, State.COMPILING)) {
            Thread t = new Thread(Blake3RoundsSwitch::driveUntilCompiled, "pyfs-jvm-blake3-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Waits up to {@code millis} for a started warm-up to end, and returns {@link #state()}. Returns
     * at once when none is running (off, or not started).
     */
    static String await(long millis) throws InterruptedException {
        if (Blake3RegisterRounds.ENABLED && state.get() == State.COMPILING) {
            settled.await(millis, TimeUnit.MILLISECONDS);
        }
        return state();
    }

    private static void driveUntilCompiled() {
        int lanes = Blake3VectorKernel.L;
        int[] t = new int[16 * lanes];
        int[] cvT = new int[8 * lanes];
        int[] lo = new int[lanes];
        int[] hi = new int[lanes];
        int[] blockLen = new int[lanes];
        int[] flags = new int[lanes];
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        int fast = 0;
        for (long calls = 0; System.nanoTime() < deadline; calls += CALLS_PER_BATCH) {
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS_PER_BATCH; i++) {
                Blake3RegisterRounds.compress(t, 0, cvT, lo, hi, blockLen, flags);
            }
            if (System.nanoTime() - t0 < CALLS_PER_BATCH * COMPILED_NANOS_PER_CALL) {
                if (++fast == FAST_BATCHES) {
                    state.set(State.ON);
                    settled.countDown();
                    return;
                }
                continue;
            }
            fast = 0;
            if (calls >= CALLS_BEFORE_PACING) {
                try {
                    Thread.sleep(PACING_MILLIS);
                } catch (InterruptedException e) {
                    break; // nobody interrupts this thread; if someone does, the round methods stay
                }
            }
        }
        state.set(State.GAVE_UP);
        settled.countDown();
    }
}
