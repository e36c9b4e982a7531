package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;

/**
 * Whether the peer still reads what this session sends (docs/CONFIGURATION.md, {@code write-timeout}): bytes
 * queued on the transport that the network takes none of for the timeout mean the peer has stopped reading, whatever
 * it still sends us, since keep-alive counts anything received as a sign of life. Checked on the session's tick, on
 * its thread only.
 *
 * <p>Only where flow control is by credit: there a well-behaved peer reads the connection all the time, and credit
 * bounds what it is sent. A format without credit stops reading the connection as its flow control, for as long as a
 * local socket is slow (docs/LEGACY.md), so a stall there is the format working, not a dead peer.
 */
final class WriteTimeout {
    private static final long NANOS_PER_MS = 1_000_000L;

    /** 0: never. */
    private final long timeoutNanos;
    private boolean stuck;
    private long mark;
    private long stuckSinceNanos;

    private WriteTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    static WriteTimeout of(Flow flow, SessionConfig config) {
        return new WriteTimeout(flow instanceof Flow.Credit ? config.writeTimeout().toNanos() : 0);
    }

    /**
     * Fails once bytes have been pending on {@code transport}, none of them sent, for longer than the timeout. The
     * clock starts at the first tick that sees them, so the cut comes within a tick after the timeout.
     */
    void check(long nowNanos, Transport transport) throws MuxException {
        if (timeoutNanos == 0) {
            return;
        }
        long pending = transport.pendingBytes();
        long now = transport.sentMark();
        if (pending == 0 || !stuck || now != mark) {
            stuck = pending > 0;
            mark = now;
            stuckSinceNanos = nowNanos;
            return;
        }
        long stalled = nowNanos - stuckSinceNanos;
        if (stalled > timeoutNanos) {
            throw MuxException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "peer does not read: %d bytes queued, none sent for %d ms", pending, stalled / NANOS_PER_MS);
        }
    }
}
