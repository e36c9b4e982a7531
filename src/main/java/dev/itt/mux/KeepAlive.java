package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;

/**
 * Keep-alive and dead-peer detection of one session (docs/PROTOCOL.md §9): a PING once the connection has been
 * quiet for the interval, KEEPALIVE_TIMEOUT once it has been quiet for the timeout. It also keeps the round-trip
 * estimate its PINGs measure, which window auto-tuning reads. A wire format without keep-alive gets one that never
 * pings. On the session's thread only.
 */
final class KeepAlive {
    private static final long NANOS_PER_MS = 1_000_000L;

    private final boolean enabled;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final RoundTrip roundTrip = new RoundTrip();
    private long lastReadNanos;

    KeepAlive(boolean enabled, SessionConfig config) {
        this.enabled = enabled;
        this.intervalNanos = config.keepAliveInterval().toNanos();
        this.timeoutNanos = config.keepAliveTimeout().toNanos();
    }

    /** Something arrived from the peer. */
    void heard(long nowNanos) {
        lastReadNanos = nowNanos;
    }

    /** Fails once the peer has been silent too long. */
    void checkAlive(long nowNanos) throws MuxException {
        long idle = nowNanos - lastReadNanos;
        if (enabled && idle > timeoutNanos) {
            throw MuxException.connectionError(ErrorCode.KEEPALIVE_TIMEOUT,
                    "no frame from the peer for %d ms", idle / NANOS_PER_MS);
        }
    }

    /** The connection has been quiet for the interval and no PING of ours is out. */
    boolean pingDue(long nowNanos) {
        return enabled && nowNanos - lastReadNanos >= intervalNanos && !roundTrip.outstanding();
    }

    /** A first PING right after the handshake gives windows a round trip to tune by. */
    boolean pingsOnEstablish() {
        return enabled;
    }

    /** PROTOCOL.md §7.2: while streams receive, a PING rides along with window updates, now and then. */
    boolean probeDue(long nowNanos) {
        return enabled && roundTrip.probeDue(nowNanos);
    }

    /** A keep-alive PING of ours goes out now; returns its payload. */
    long ping(long nowNanos) {
        return roundTrip.send(nowNanos, false);
    }

    /** A PING of ours goes out now with a window update (PROTOCOL.md §7.2); returns its payload. */
    long probe(long nowNanos) {
        return roundTrip.send(nowNanos, true);
    }

    void answered(long payload, long nowNanos) {
        roundTrip.answered(payload, nowNanos);
    }

    /** The round-trip estimate, 0 before the first answer. */
    long rttNanos() {
        return roundTrip.nanos();
    }
}
