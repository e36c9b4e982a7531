package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;

/** Credit the peer has granted us to send DATA (docs/PROTOCOL.md §7). Sums are kept in a long. */
final class SendWindow {
    private long credit;

    SendWindow(int initial) {
        this.credit = initial;
    }

    long credit() {
        return credit;
    }

    void take(int bytes) {
        credit -= bytes;
    }

    void grant(int streamId, int increment) throws MuxException {
        credit = granted(credit, streamId, increment);
    }

    /**
     * {@code credit} plus a WINDOW_UPDATE's {@code increment}, or a FLOW_CONTROL_ERROR past the largest window.
     * Streams keep their credit in a field of their own (one object less per stream) and add through here.
     */
    static long granted(long credit, int streamId, int increment) throws MuxException {
        long next = credit + increment;
        if (next > WireConstants.MAX_WINDOW) {
            throw MuxException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "WINDOW_UPDATE of %d on stream %d overflows the window (%d)", increment, streamId, next);
        }
        return next;
    }
}
