package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;

/**
 * The state of a stream's two directions (docs/PROTOCOL.md §5; the enum follows the spec's table, in its order).
 * Whether OPEN_OK has been exchanged is tracked apart from this, since data may flow before it.
 */
public enum StreamState {
    OPEN(true, true),
    HALF_CLOSED_LOCAL(false, true),
    HALF_CLOSED_REMOTE(true, false),
    CLOSED(false, false),
    RESET(false, false);

    private final boolean localOpen;
    private final boolean remoteOpen;

    StreamState(boolean localOpen, boolean remoteOpen) {
        this.localOpen = localOpen;
        this.remoteOpen = remoteOpen;
    }

    /** This end may still send DATA and FIN. */
    public boolean localOpen() {
        return localOpen;
    }

    /** The peer may still send DATA and FIN. */
    public boolean remoteOpen() {
        return remoteOpen;
    }

    public boolean isTerminal() {
        return this == CLOSED || this == RESET;
    }

    /** This end sends FIN. */
    public StreamState closeLocal() {
        return switch (this) {
            case OPEN -> HALF_CLOSED_LOCAL;
            case HALF_CLOSED_REMOTE -> CLOSED;
            case HALF_CLOSED_LOCAL, CLOSED, RESET -> throw new IllegalStateException("FIN sent twice, state " + this);
        };
    }

    /** The peer sent FIN; a FIN where the peer's side is already closed is a stream error. */
    public StreamState closeRemote(int streamId) throws MuxException {
        return switch (this) {
            case OPEN -> HALF_CLOSED_REMOTE;
            case HALF_CLOSED_LOCAL -> CLOSED;
            case HALF_CLOSED_REMOTE, CLOSED, RESET -> throw MuxException.streamError(
                    streamId, ErrorCode.PROTOCOL_ERROR, "FIN on stream %d in state %s", streamId, this);
        };
    }
}
