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
            long d = b.nextDelayMillis();
            assertTrue(d >= ceiling / 2 && d <= ceiling, "delay " + d + " outside [" + ceiling / 2 + ", " + ceiling + "]");
        }
    }

    @Test
    void delaysAreJitteredSoAgentsCutOffTogetherDoNotReturnTogether() {
        Set<Long> seen = new HashSet<>();
        for (int agent = 0; agent < 50; agent++) {
            Backoff b = new Backoff(1000, 30_000);
            b.nextDelayMillis();
            seen.add(b.nextDelayMillis()); // second retry: drawn from [1000, 2000]
        }
        assertTrue(seen.size() > 10, "50 agents drew only " + seen.size() + " distinct delays");
    }

    @Test
    void resetStartsAgainFromTheMinimum() {
        Backoff b = new Backoff(100, 10_000);
        for (int i = 0; i < 10; i++) {
            b.nextDelayMillis();
        }
        b.reset();
        long d = b.nextDelayMillis();
        assertTrue(d >= 50 && d <= 100, "delay after reset " + d);
    }

    @Test
    void aCapBelowTheMinimumIsRaisedToIt() {
        Backoff b = new Backoff(500, 10);
        for (int i = 0; i < 5; i++) {
            long d = b.nextDelayMillis();
            assertTrue(d >= 250 && d <= 500, "delay " + d);
        }
    }
}
