package dev.itt.mux;

/**
 * How a wire format bounds what a receiver holds for streams whose local socket is slow (docs/PROTOCOL.md §7,
 * docs/LEGACY.md). The session builds the matching {@link FlowControl} from it, once.
 */
public sealed interface Flow {
    /** Per-stream and session-wide credit, returned as the local sockets drain. */
    Flow CREDIT = new Credit();

    /** Credit in WINDOW_UPDATE frames: the peer never sends more than it was granted. */
    record Credit() implements Flow {}

    /**
     * No credit on the wire: past the session window this end stops reading the connection, and every stream of
     * it waits, which is what such a format costs.
     */
    record PauseReading(ReadSwitch reads) implements Flow {}
}
