package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The credit this end grants its peer (docs/PROTOCOL.md §7.1, §7.2): what may be received, when a WINDOW_UPDATE
 * goes out and how large it is, and how far auto-tuning grows the window. Times are plain numbers of nanoseconds
 * handed in by the test, so no clock is involved.
 */
class ReceiveWindowTest {
    private static final int KIB = 1024;
    private static final int INITIAL = 256 * KIB;
    private static final int HALF = INITIAL / 2;
    private static final long MS = 1_000_000L;
    private static final long RTT = 10 * MS;

    @Test
    void bytesWithinTheCreditAreReceivedUpToTheLastOne() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertTrue(w.receive(INITIAL - 1));
        assertTrue(w.receive(1), "the last byte of the credit is still allowed");
        assertFalse(w.receive(1), "one byte past the credit is an overrun");
    }

    @Test
    void anOverrunIsRefusedAndTakesNoCredit() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertFalse(w.receive(INITIAL + 1));
        assertTrue(w.receive(INITIAL), "the refused frame took nothing: the whole credit is still there");
    }

    @Test
    void oneWindowUpdateGoesOutOnceHalfTheWindowIsConsumed() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertTrue(w.receive(INITIAL));
        assertEquals(0, w.consume(HALF / 2, 0, 0));
        assertEquals(0, w.consume(HALF / 2 - 1, 1, 0), "one byte short of half the window: nothing yet");
        assertEquals(HALF, w.consume(1, 2, 0), "the update returns every consumed byte at once");
        assertEquals(0, w.consume(HALF - 1, 3, 0), "the count starts again after the update");
        assertEquals(HALF, w.consume(1, 4, 0));
    }

    @Test
    void consumingMoreThanHalfAtOnceReturnsAllOfItInOneUpdate() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertTrue(w.receive(INITIAL));
        assertEquals(0, w.consume(HALF - 10, 0, 0));
        assertEquals(HALF + 90, w.consume(100, 1, 0));
    }

    @Test
    void theIncrementIsCreditThePeerMayUseAgain() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertTrue(w.receive(INITIAL));
        assertFalse(w.receive(1), "the window is used up");
        int increment = w.consume(HALF, 0, 0);
        assertTrue(w.receive(increment), "exactly the increment may be sent again");
        assertFalse(w.receive(1));
    }

    @Test
    void theFirstUpdateOfAWindowNeverGrowsIt() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        assertEquals(HALF, w.consume(HALF, 0, RTT), "no earlier update to compare with, even with an RTT sample");
        assertEquals(INITIAL, w.window());
    }

    @Test
    void theWindowDoublesWhenHalfOfItWentByInJustUnderARoundTrip() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        assertTrue(w.receive(INITIAL));
        assertEquals(HALF, w.consume(HALF, 0, RTT));
        assertEquals(HALF + INITIAL, w.consume(HALF, RTT * 9 / 10, RTT), "the growth rides on the same update");
        assertEquals(2 * INITIAL, w.window());
        assertTrue(w.receive(2 * INITIAL), "all is consumed: the peer may have the doubled window in flight");
        assertFalse(w.receive(1));
    }

    @Test
    void aGrownWindowWaitsForHalfOfItsNewSizeBeforeTheNextUpdate() {
        ReceiveWindow w = grownOnce();
        assertEquals(2 * INITIAL, w.window());
        assertEquals(0, w.consume(INITIAL - 1, 10 * RTT, 0));
        assertEquals(INITIAL, w.consume(1, 10 * RTT, 0));
    }

    @Test
    void theWindowKeepsDoublingUpToTheCapAndNoFurther() {
        int cap = 4 * INITIAL;
        ReceiveWindow w = new ReceiveWindow(INITIAL, cap);
        long now = 0;
        w.consume(w.window() / 2, now, RTT);
        int[] expected = {2 * INITIAL, 4 * INITIAL, 4 * INITIAL, 4 * INITIAL};
        for (int size : expected) {
            int before = w.window();
            now += RTT / 2;
            int increment = w.consume(before / 2, now, RTT);
            assertEquals(size, w.window());
            assertEquals(before / 2 + (size - before), increment, "window " + before + " -> " + size);
        }
    }

    @Test
    void theLastGrowthIsClippedAtACapThatIsNoDoubling() {
        int cap = 2 * INITIAL + 64 * KIB;
        ReceiveWindow w = grownOnce(cap);
        assertEquals(2 * INITIAL, w.window());
        assertEquals(INITIAL + 64 * KIB, w.consume(INITIAL, RTT, RTT), "grows by what is left below the cap");
        assertEquals(cap, w.window());
    }

    @Test
    void withoutARoundTripSampleTheWindowNeverGrows() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        for (int i = 0; i < 5; i++) {
            assertEquals(HALF, w.consume(HALF, i, 0), "update " + i);
        }
        assertEquals(INITIAL, w.window());
    }

    @Test
    void halfAWindowDrainedInARoundTripOrMoreDoesNotGrowIt() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        long now = 0;
        w.consume(HALF, now, RTT);
        now += RTT;
        assertEquals(HALF, w.consume(HALF, now, RTT), "exactly one round trip: the window is what that rate needs");
        now += 50 * RTT;
        assertEquals(HALF, w.consume(HALF, now, RTT));
        assertEquals(INITIAL, w.window());
        now += RTT * 9 / 10;
        assertEquals(HALF + INITIAL, w.consume(HALF, now, RTT), "a quick update after slow ones still grows it");
    }

    @Test
    void aWindowDrainedFarFasterThanTheRoundTripGrowsAtOnceToWhatThatRateNeedsOverTwoRoundTrips() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 64 * INITIAL);
        w.consume(HALF, 0, RTT);
        // half a window in an eighth of a round trip: 8 halves a round trip, 16 over two, 8 windows
        assertEquals(HALF + 7 * INITIAL, w.consume(HALF, RTT / 8, RTT));
        assertEquals(8 * INITIAL, w.window());
    }

    @Test
    void aRateThatNeedsMoreThanTheCapGrowsTheWindowToTheCap() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        w.consume(HALF, 0, RTT);
        assertEquals(HALF + 15 * INITIAL, w.consume(HALF, RTT / 1000, RTT));
        assertEquals(16 * INITIAL, w.window());
        w.consume(8 * INITIAL, RTT / 1000 + 1, RTT);
        assertEquals(16 * INITIAL, w.window(), "and no further");
    }

    @Test
    void halfAWindowConsumedWithinTheSameInstantCountsAsTheFastestRate() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * INITIAL);
        w.consume(HALF, 5, RTT);
        w.consume(HALF, 5, RTT);
        assertEquals(16 * INITIAL, w.window());
    }

    @Test
    void aCapBelowTheInitialWindowMeansTheInitialWindowIsTheCap() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, 16 * KIB);
        w.consume(HALF, 0, RTT);
        assertEquals(HALF, w.consume(HALF, 1, RTT), "no growth, and no shrinking either");
        assertEquals(INITIAL, w.window());
    }

    @Test
    void growToRaisesTheWindowAtOnceAndGrantsTheDifference() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        int target = 64 * 1024 * KIB; // a session window: growTo is not bound by the auto-tuning cap
        assertEquals(target - INITIAL, w.growTo(target));
        assertEquals(target, w.window());
        assertTrue(w.receive(target), "the whole new window may be in flight");
        assertFalse(w.receive(1));
        assertEquals(0, w.consume(target / 2 - 1, 0, 0), "updates now wait for half of the new window");
        assertEquals(target / 2, w.consume(1, 0, 0));
    }

    @Test
    void growToASmallerOrEqualWindowChangesNothing() {
        ReceiveWindow w = new ReceiveWindow(INITIAL, INITIAL);
        assertEquals(0, w.growTo(INITIAL));
        assertEquals(0, w.growTo(HALF));
        assertEquals(INITIAL, w.window());
        assertTrue(w.receive(INITIAL));
        assertFalse(w.receive(1), "no credit was added");
    }

    /**
     * A peer that sends whatever its credit allows, in random sizes, against a receiver that consumes in random
     * sizes at random times: every frame within the peer's credit is accepted, one byte more never is, and the
     * credit never exceeds the window.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 987654321})
    void aPeerThatRespectsItsCreditIsNeverRefusedAndOneByteMoreAlwaysIs(long seed) {
        Random r = new Random(seed);
        ReceiveWindow w = new ReceiveWindow(INITIAL, 8 * INITIAL);
        long peerCredit = INITIAL;
        long received = 0;
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            String where = "seed " + seed + ", step " + step;
            if (peerCredit > 0 && r.nextBoolean()) {
                int n = (int) Math.min(peerCredit, 1 + r.nextInt(64 * KIB));
                assertTrue(w.receive(n), where + ": " + n + " bytes within a credit of " + peerCredit);
                peerCredit -= n;
                received += n;
            } else if (received > 0) {
                int n = (int) Math.min(received, 1 + r.nextInt(32 * KIB));
                received -= n;
                now += r.nextInt((int) (3 * RTT));
                peerCredit += w.consume(n, now, RTT);
            }
            assertTrue(peerCredit <= w.window(), where + ": credit " + peerCredit + " over window " + w.window());
        }
        assertFalse(w.receive((int) peerCredit + 1), "seed " + seed + ": one byte past the credit");
    }

    private static ReceiveWindow grownOnce() {
        return grownOnce(16 * INITIAL);
    }

    private static ReceiveWindow grownOnce(int cap) {
        ReceiveWindow w = new ReceiveWindow(INITIAL, cap);
        w.consume(HALF, 0, RTT);
        w.consume(HALF, RTT / 2, RTT);
        return w;
    }
}
