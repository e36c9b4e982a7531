package dev.itt.agent;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff for reconnects: the ceiling doubles from {@code min} up to {@code max}, and each
 * delay is drawn from [ceiling/2, ceiling] so that many agents cut off together do not return together.
 */
final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private long ceiling;

    Backoff(long minMillis, long maxMillis) {
        this.minMillis = Math.max(1, minMillis);
        this.maxMillis = Math.max(this.minMillis, maxMillis);
        this.ceiling = this.minMillis;
    }

    long nextDelayMillis() {
        long c = ceiling;
        ceiling = Math.min(maxMillis, ceiling * 2);
        return c / 2 + ThreadLocalRandom.current().nextLong(c / 2 + 1);
    }

    void reset() {
        ceiling = minMillis;
    }
}
