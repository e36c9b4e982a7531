package dev.itt.mux;

/**
 * The session's round-trip estimate (PROTOCOL.md §7.2, §9): one PING of ours outstanding at a time, its payload
 * the time it was sent, and a sample taken when its ACK comes back. The estimate is the smallest sample of the
 * PINGs that rode along with window updates (the path under load, without the queue our own data builds in it),
 * and until there is one, the latest sample of any PING. Used on the session's thread only.
 */
final class RoundTrip {
    /**
     * While streams receive, the round trip is sampled again at most this often: window auto-tuning compares the
     * update rate with the round trip under load, which queues in the path make far longer than an idle PING's.
     */
    static final long PROBE_INTERVAL_NANOS = 100_000_000L;

    private boolean outstanding;
    private boolean probing;
    private long sentNanos;
    private long latestNanos;
    private long loadedMinNanos;

    /**
     * Records a PING going out now; returns its payload.
     *
     * @param probe true for a PING sent with a window update, while data flows
     */
    long send(long nowNanos, boolean probe) {
        outstanding = true;
        probing = probe;
        sentNanos = nowNanos;
        return nowNanos;
    }

    /** An ACK arrived: takes a sample if it answers our outstanding PING. */
    void answered(long payload, long nowNanos) {
        if (outstanding && payload == sentNanos) {
            outstanding = false;
            long sample = Math.max(1, nowNanos - sentNanos);
            latestNanos = sample;
            if (probing && (loadedMinNanos == 0 || sample < loadedMinNanos)) {
                loadedMinNanos = sample;
            }
        }
    }

    boolean outstanding() {
        return outstanding;
    }

    /** No PING outstanding and the last one went out more than {@link #PROBE_INTERVAL_NANOS} ago. */
    boolean probeDue(long nowNanos) {
        return !outstanding && nowNanos - sentNanos > PROBE_INTERVAL_NANOS;
    }

    /** The estimate, 0 before the first answer. */
    long nanos() {
        return loadedMinNanos > 0 ? loadedMinNanos : latestNanos;
    }
}
