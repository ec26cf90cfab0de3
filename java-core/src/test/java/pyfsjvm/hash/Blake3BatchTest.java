package pyfsjvm.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** A batch's digests are each message's own, whatever shares the lanes with it. */
class Blake3BatchTest {
    private static byte[] alone(byte[] b, int off, int len) {
        Blake3Hasher h = Blake3Hasher.withKernel(Blake3Kernel.scalar());
        h.update(b, off, len);
        return h.digest();
    }

    @Test
    void everyLengthAroundTheChunkAndGroupEdgesOnEveryKernel() {
        Random rnd = new Random(7);
        byte[] data = new byte[1 << 20];
        rnd.nextBytes(data);
        int[] lens = {0, 1, 64, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4095, 4096, 4097, 5000, 8191, 8192,
                      8193, 15 * 1024, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 17 * 1024 + 5, 40_000,
                      // long messages (hash_files queues files up to 64 KiB): several whole groups
                      32 * 1024, 32 * 1024 + 1, 33 * 1024 + 1, 48 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 100_000};
        for (Blake3Kernel k : Blake3VectorsTest.kernels()) {
            Blake3Batch batch = new Blake3Batch(k);
            for (int round = 0; round < 3; round++) { // reused after digests(): nothing carried over
                int[] offs = new int[lens.length];
                for (int i = 0; i < lens.length; i++) {
                    offs[i] = rnd.nextInt(data.length - lens[i]);
                    batch.add(data, offs[i], lens[i]);
                }
                assertEquals(lens.length, batch.size());
                byte[][] got = batch.digests();
                assertEquals(0, batch.size());
                for (int i = 0; i < lens.length; i++) {
                    assertArrayEquals(alone(data, offs[i], lens[i]), got[i], k.name() + " len " + lens[i]);
                }
            }
        }
    }

    @Test
    void everyLastChunkLengthSharesTheLanes() {
        // last chunks go through the lanes grouped by block count, zero-padded per lane with
        // their own last-block length: every length 1-1024 after 1, 2 and 17 whole chunks, in a
        // shuffled order so that each group mixes lengths and a lane reuses a longer one's bytes
        Random rnd = new Random(13);
        byte[] data = new byte[1 << 20];
        rnd.nextBytes(data);
        java.util.List<int[]> msgs = new java.util.ArrayList<>();
        for (int whole : new int[] {1, 2, 17}) {
            for (int rem = 1; rem <= 1024; rem++) {
                int len = whole * 1024 + rem;
                msgs.add(new int[] {rnd.nextInt(data.length - len), len});
            }
        }
        java.util.Collections.shuffle(msgs, rnd);
        for (Blake3Kernel k : Blake3VectorsTest.kernels()) {
            Blake3Batch batch = new Blake3Batch(k);
            for (int[] m : msgs) {
                batch.add(data, m[0], m[1]);
            }
            byte[][] got = batch.digests();
            for (int i = 0; i < msgs.size(); i++) {
                int[] m = msgs.get(i);
                assertArrayEquals(alone(data, m[0], m[1]), got[i], k.name() + " len " + m[1]);
            }
        }
    }

    @Test
    void manyRandomMessagesFillManyGroups() {
        Random rnd = new Random(11);
        for (Blake3Kernel k : Blake3VectorsTest.kernels()) {
            Blake3Batch batch = new Blake3Batch(k);
            byte[][] msgs = new byte[300][];
            for (int i = 0; i < msgs.length; i++) {
                msgs[i] = new byte[rnd.nextInt(i % 3 == 0 ? 70_000 : 12_000)];
                rnd.nextBytes(msgs[i]);
                batch.add(msgs[i], 0, msgs[i].length);
            }
            byte[][] got = batch.digests();
            for (int i = 0; i < msgs.length; i++) {
                assertArrayEquals(alone(msgs[i], 0, msgs[i].length), got[i], k.name() + " message " + i);
            }
        }
    }

    @Test
    void theArenaKeepsWholeChunksBackToBackUntilFullAndIsEmptiedByTheDigests() {
        Random rnd = new Random(17);
        Blake3Batch batch = new Blake3Batch(10_000);
        byte[][] msgs = {new byte[4000], new byte[5000], new byte[3000]};
        int[] at = new int[2];
        for (int i = 0; i < 2; i++) {
            rnd.nextBytes(msgs[i]);
            at[i] = batch.reserve(msgs[i].length);
            batch.arena().put(at[i], msgs[i], 0, msgs[i].length);
            batch.addReserved(msgs[i].length);
        }
        // 4000 bytes: 3 whole chunks, the last 928 bytes set aside; the next message starts at 3072
        assertArrayEquals(new int[] {0, 3072}, at);
        assertEquals(-1, batch.reserve(msgs[2].length)); // 7168 + 3000 > 10,000
        assertEquals(7168, batch.reserve(2832));
        byte[][] got = batch.digests();
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(alone(msgs[i], 0, msgs[i].length), got[i]);
        }
        assertEquals(0, batch.reserve(msgs[2].length));
    }

    @Test
    void arenaMessagesAndReferencedOnesMixOnEveryKernel() {
        // a direct arena (what hash_files reads into), messages from 0 bytes to 40 KiB, every
        // third one added by reference instead; each digest is the message's own
        Random rnd = new Random(19);
        byte[] data = new byte[1 << 20];
        rnd.nextBytes(data);
        for (Blake3Kernel k : Blake3VectorsTest.kernels()) {
            Blake3Batch batch = new Blake3Batch(k, java.nio.ByteBuffer.allocateDirect(
                    200_000 + Math.max(1, k.degree()) * 1024));
            for (int round = 0; round < 3; round++) {
                java.util.List<int[]> msgs = new java.util.ArrayList<>();
                for (int i = 0; ; i++) {
                    int len = i < 3 ? new int[] {0, 1, 1024}[i] : rnd.nextInt(40_000);
                    int off = rnd.nextInt(data.length - len);
                    if (i % 3 == 2) {
                        batch.add(data, off, len);
                    } else {
                        int at = batch.reserve(len);
                        if (at < 0) {
                            break;
                        }
                        batch.arena().put(at, data, off, len);
                        batch.addReserved(len);
                    }
                    msgs.add(new int[] {off, len});
                }
                byte[][] got = batch.digests();
                assertEquals(msgs.size(), got.length);
                for (int i = 0; i < msgs.size(); i++) {
                    int[] m = msgs.get(i);
                    assertArrayEquals(alone(data, m[0], m[1]), got[i], k.name() + " message " + i + ", " + m[1] + " bytes");
                }
            }
        }
    }

    @Test
    void worthwhileOnlyWithLanes() {
        assertEquals(0, new Blake3Batch(Blake3Kernel.scalar()).worthwhileBelow());
        Blake3Kernel k = Blake3Kernel.get();
        assertEquals(k.degree() > 1 ? k.degree() * 1024 : 0, new Blake3Batch(k).worthwhileBelow());
    }
}
