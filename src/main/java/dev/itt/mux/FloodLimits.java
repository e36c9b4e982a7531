package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;

/**
 * The per-second limits on what a peer may send besides DATA (PROTOCOL.md §8: control-frame floods, rapid reset,
 * ping floods). Counts since the last {@link #newSecond()}; the owning session calls that from its tick. Used on
 * the session's thread only.
 *
 * <p>The limits are the native protocol's defences. In the legacy format a connect, its reply and its close are how
 * every user connection goes, so a busy service legitimately sends thousands a second; there only PINGs (which that
 * format does not have) would be counted, and the bounds are the stream and pending-dial limits instead.
 */
final class FloodLimits {
    private final SessionConfig config;
    private final boolean enforced;
    private int pings;
    private int resets;
    private int controlFrames;

    FloodLimits(SessionConfig config, boolean enforced) {
        this.config = config;
        this.enforced = enforced;
    }

    void newSecond() {
        pings = 0;
        resets = 0;
        controlFrames = 0;
    }

    /** Any frame other than DATA. */
    void controlFrame() throws MuxException {
        if (enforced && ++controlFrames > config.maxControlFramesPerSecond()) {
            throw MuxException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "more than %d control frames in a second", config.maxControlFramesPerSecond());
        }
    }

    /** A RESET or OPEN_FAILED (counted as a control frame too). */
    void reset() throws MuxException {
        controlFrame();
        if (enforced && ++resets > config.maxResetsPerSecond()) {
            throw MuxException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "more than %d stream resets in a second", config.maxResetsPerSecond());
        }
    }

    /** A PING that asks for an answer. */
    void ping() throws MuxException {
        if (++pings > config.maxPingsPerSecond()) {
            throw MuxException.connectionError(
                    ErrorCode.ENHANCE_YOUR_CALM, "more than %d PINGs in a second", config.maxPingsPerSecond());
        }
    }
}
