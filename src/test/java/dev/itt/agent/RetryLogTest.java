package dev.itt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryLogTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void theFirstFailureIsLoudAndTheSameRunIsRepeatedAtMostOnceAMinute() {
        RetryLog log = new RetryLog(MINUTE);
        long start = 123 * SECOND; // nanoTime values may start anywhere
        assertTrue(log.failed(start));
        int loud = 0;
        // one attempt every 2 s for 5 minutes: 150 attempts, of which one per minute is loud
        for (long now = start + 2 * SECOND; now <= start + 5 * MINUTE; now += 2 * SECOND) {
            if (log.failed(now)) {
                loud++;
                assertEquals(0, (now - start) % MINUTE, "loud at a minute's end, not before: " + (now - start));
            }
        }
        assertEquals(5, loud);
        assertEquals(151, log.attempts(), "every attempt counted, loud or not");
    }

    @Test
    void aSuccessEndsTheRunSoTheNextFailureIsLoudAtOnce() {
        RetryLog log = new RetryLog(MINUTE);
        assertTrue(log.failed(0));
        assertFalse(log.failed(SECOND));
        assertEquals(2, log.succeeded(), "the run had two failed attempts");
        assertTrue(log.failed(2 * SECOND), "a new run starts loud, within the minute of the last loud line");
        assertEquals(1, log.attempts());
    }

    @Test
    void aSuccessWithoutFailuresReportsNone() {
        RetryLog log = new RetryLog(MINUTE);
        assertEquals(0, log.succeeded());
        assertEquals(0, log.attempts());
    }

    @Test
    void aClockThatWrapsStillCountsElapsedTime() {
        RetryLog log = new RetryLog(MINUTE);
        long start = Long.MAX_VALUE - SECOND;
        assertTrue(log.failed(start));
        assertFalse(log.failed(start + 30 * SECOND));
        assertTrue(log.failed(start + MINUTE));
    }
}
