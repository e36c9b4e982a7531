package dev.itt.mux;

/**
 * Bytes a session holds for its streams: queued for the peer's credit plus received and not yet taken by the
 * local socket; and the most it ever held. Plain fields, on the session's thread: other threads read the
 * snapshot their owner publishes.
 */
final class HeldBytes {
    private long now;
    private long peak;

    void add(long delta) {
        now += delta;
        if (now > peak) {
            peak = now;
        }
    }

    long now() {
        return now;
    }

    long peak() {
        return peak;
    }
}
