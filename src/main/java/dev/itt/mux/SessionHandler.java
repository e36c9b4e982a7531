package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.UserAddresses;

/** What a session tells the end that owns it. Called on the session's thread. */
public interface SessionHandler {
    /** The handshake succeeded; streams may be opened (server) or will arrive (agent). */
    default void onEstablished(Session session) {}

    /**
     * Agent only: the server opened a stream. Attach a {@link StreamHandler}, then call {@link MuxStream#accept()}
     * once the upstream is connected, or {@link MuxStream#refuse} with the reason it is not. {@code addresses} are
     * the user's, if the OPEN carried them (PROTOCOL.md §5.2), else null.
     */
    default void onStreamOpened(Session session, MuxStream stream, UserAddresses addresses) {
        stream.refuse(ErrorCode.REFUSED_STREAM, "this end accepts no streams");
    }

    /** The peer sent GO_AWAY: it takes no new streams. The session closes once its streams are done. */
    default void onGoAway(Session session, ErrorCode code, String reason) {}

    /** The session is over; every stream has already been reset. Called once. */
    default void onClosed(Session session, ErrorCode code, String reason) {}
}
