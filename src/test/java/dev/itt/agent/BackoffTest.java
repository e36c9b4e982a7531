package dev.itt.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void eachDelayLiesBetweenHalfTheCeilingAndTheCeilingWhichDoublesUpToTheCap() {
        Backoff b = new Backoff(100, 1600);
        long[] ceilings = {100, 200, 400, 800, 1600, 1600, 1600};
        for (long ceiling : ceilings) {
            long d = b.nextDelayMillis(0);
            assertTrue(d >= ceiling / 2 && d <= ceiling, "delay " + d + " outside [" + ceiling / 2 + ", " + ceiling + "]");
        }
    }

    @Test
    void delaysAreJitteredSoAgentsCutOffTogetherDoNotReturnTogether() {
        Set<Long> seen = new HashSet<>();
        for (int agent = 0; agent < 50; agent++) {
            Backoff b = new Backoff(1000, 30_000);
            b.nextDelayMillis(0);
            seen.add(b.nextDelayMillis(0)); // second retry: drawn from [1000, 2000]
        }
        assertTrue(seen.size() > 10, "50 agents drew only " + seen.size() + " distinct delays");
    }

    @Test
    void resetStartsAgainFromTheMinimum() {
        Backoff b = new Backoff(100, 10_000);
        for (int i = 0; i < 10; i++) {
            b.nextDelayMillis(0);
        }
        b.reset();
        long d = b.nextDelayMillis(0);
        assertTrue(d >= 50 && d <= 100, "delay after reset " + d);
    }

    @Test
    void aCapBelowTheMinimumIsRaisedToIt() {
        Backoff b = new Backoff(500, 10);
        for (int i = 0; i < 5; i++) {
            long d = b.nextDelayMillis(0);
            assertTrue(d >= 250 && d <= 500, "delay " + d);
        }
    }

    @Test
    void afterALostSessionTheDelaysStayUnderASecondForAMinuteThenGrowOnFromThere() {
        Backoff b = new Backoff(50, 30_000);
        for (int i = 0; i < 20; i++) {
            b.nextDelayMillis(0); // a long run of failures: the ceiling is at the 30 s cap
        }
        long lost = 5_000_000_000L;
        b.sessionLost(lost);
        long first = b.nextDelayMillis(lost);
        assertTrue(first >= 25 && first <= 50, "the first redial after the loss comes at once: " + first);
        long end = lost + Backoff.REDIAL_WINDOW_NANOS;
        for (long now = lost; now < end; now += 500_000_000L) {
            long d = b.nextDelayMillis(now);
            assertTrue(d <= Backoff.REDIAL_CAP_MILLIS, "delay " + d + " ms within the redial window");
        }
        long[] ceilings = {1000, 2000, 4000, 8000, 16_000, 30_000, 30_000};
        for (long ceiling : ceilings) {
            long d = b.nextDelayMillis(end);
            assertTrue(d >= ceiling / 2 && d <= ceiling, "after the window, delay " + d + " outside ["
                    + ceiling / 2 + ", " + ceiling + "]");
        }
    }

    @Test
    void aSessionEstablishedEndsTheRedialWindow() {
        Backoff b = new Backoff(50, 30_000);
        b.sessionLost(0);
        b.reset();
        long d = 0;
        for (int i = 0; i < 12; i++) {
            d = b.nextDelayMillis(1);
        }
        assertTrue(d >= 15_000, "failures after a success back off as usual, up to the cap: " + d);
    }

    @Test
    void aRedialCapBelowTheMinimumIsRaisedToIt() {
        Backoff b = new Backoff(4000, 30_000);
        b.sessionLost(0);
        for (int i = 0; i < 5; i++) {
            long d = b.nextDelayMillis(1);
            assertTrue(d >= 2000 && d <= 4000, "delay " + d);
        }
    }
}
