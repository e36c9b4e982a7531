package dev.itt.mux;

/**
 * The session's round-trip estimate (PROTOCOL.md §7.2, §9): one PING of ours outstanding at a time, its payload
 * the time it was sent, and the latest sample taken when its ACK comes back. Used on the session's thread only.
 */
final class RoundTrip {
    /**
     * While streams receive, the round trip is sampled again at most this often: window auto-tuning compares the
     * update rate with the round trip under load, which queues in the path make far longer than an idle PING's.
     */
    static final long PROBE_INTERVAL_NANOS = 100_000_000L;

    private boolean outstanding;
    private long sentNanos;
    private long rttNanos;

    /** Records a PING going out now; returns its payload. */
    long send(long nowNanos) {
        outstanding = true;
        sentNanos = nowNanos;
        return nowNanos;
    }

    /** An ACK arrived: takes a sample if it answers our outstanding PING. */
    void answered(long payload, long nowNanos) {
        if (outstanding && payload == sentNanos) {
            outstanding = false;
            rttNanos = Math.max(1, nowNanos - sentNanos);
        }
    }

    boolean outstanding() {
        return outstanding;
    }

    /** No PING outstanding and the last one went out more than {@link #PROBE_INTERVAL_NANOS} ago. */
    boolean probeDue(long nowNanos) {
        return !outstanding && nowNanos - sentNanos > PROBE_INTERVAL_NANOS;
    }

    /** Latest sample, 0 before the first answer. */
    long nanos() {
        return rttNanos;
    }
}
