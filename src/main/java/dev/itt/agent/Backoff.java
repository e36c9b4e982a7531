package dev.itt.agent;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Jittered exponential backoff for reconnects: the ceiling doubles from {@code min} up to {@code max}, and each
 * delay is drawn from [ceiling/2, ceiling] so that many agents cut off together do not return together.
 *
 * <p>A session that was established and is then lost (most often a server end draining for a restart) starts a
 * redial window: the backoff starts again from {@code min}, and for {@link #REDIAL_WINDOW_NANOS} the ceiling stays
 * at most {@link #REDIAL_CAP_MILLIS}, so that a server end back within that minute has its agents back within about
 * a second instead of after a ceiling grown to {@code max}. After the window the ceiling doubles on from there. Time
 * comes in as nanoTime values, so that tests bring their own clock. Used on one event loop only.
 */
final class Backoff {
    /** The ceiling during a redial window (or {@code min}, if that is larger). */
    static final long REDIAL_CAP_MILLIS = 1000;
    /** How long a redial window lasts, from the loss of the session. */
    static final long REDIAL_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long minMillis;
    private final long maxMillis;
    private final long redialCapMillis;
    private long ceiling;
    private boolean redialing;
    private long redialUntil;

    Backoff(long minMillis, long maxMillis) {
        this.minMillis = Math.max(1, minMillis);
        this.maxMillis = Math.max(this.minMillis, maxMillis);
        this.redialCapMillis = Math.max(this.minMillis, Math.min(this.maxMillis, REDIAL_CAP_MILLIS));
        this.ceiling = this.minMillis;
    }

    long nextDelayMillis(long now) {
        if (redialing && now - redialUntil >= 0) {
            redialing = false;
        }
        long c = ceiling;
        ceiling = Math.min(redialing ? redialCapMillis : maxMillis, ceiling * 2);
        return c / 2 + ThreadLocalRandom.current().nextLong(c / 2 + 1);
    }

    /** A session is up: the next failure starts from {@code min} again, outside any redial window. */
    void reset() {
        ceiling = minMillis;
        redialing = false;
    }

    /** An established session is gone: redial at once, and soon, for the redial window from {@code now}. */
    void sessionLost(long now) {
        ceiling = minMillis;
        redialing = true;
        redialUntil = now + REDIAL_WINDOW_NANOS;
    }
}
