package dev.itt.agent;

/**
 * Decides which of an agent's failed attempts to reach its server end are logged loudly: the first of a run of
 * failures at once, then at most one per {@code interval}, so that a failure that persists (server unreachable,
 * TLS refused, authentication refused) is repeated once a minute with the attempt count instead of going silent
 * or flooding the log. The run ends when a session is established. Time comes in as nanoTime values, so that tests
 * bring their own clock. Used on one event loop only.
 */
final class RetryLog {
    private final long intervalNanos;
    /** Failed attempts since the last session was established. */
    private int attempts;
    private long loggedAt;

    RetryLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** One more failed attempt at {@code now}; true if its line should be logged loudly. */
    boolean failed(long now) {
        attempts++;
        if (attempts == 1 || now - loggedAt >= intervalNanos) {
            loggedAt = now;
            return true;
        }
        return false;
    }

    /** Failed attempts in the current run, counting the last one reported. */
    int attempts() {
        return attempts;
    }

    /** A session is established: the run is over; returns how many attempts it had failed. */
    int succeeded() {
        int n = attempts;
        attempts = 0;
        return n;
    }
}
