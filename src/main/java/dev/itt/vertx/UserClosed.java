package dev.itt.vertx;

import dev.itt.mux.MuxStream;
import dev.itt.mux.wire.ErrorCode;

/**
 * Hears how a user's connection ended, once, on its event loop, when its {@link StreamBridge} is done with it: what
 * the server end's access log is made of. The bridge tells only what it saw; the end knows the rest (a drain, an
 * idle timeout).
 */
public interface UserClosed {
    /** How the bridge saw the user's connection end. */
    enum How {
        /** Both directions ended cleanly, the user's first. */
        USER_FIN_FIRST,
        /** Both directions ended cleanly, the upstream's first. */
        UPSTREAM_FIN_FIRST,
        /**
         * The user's socket closed before its direction had ended (a reset, an error, or a close by this process):
         * the stream was reset with CANCEL.
         */
        SOCKET_GONE,
        /** The stream was reset by the agent or by the end of its session, or never opened: the code says why. */
        RESET
    }

    /**
     * @param user the user's socket, closed or closing
     * @param code CANCEL for {@link How#SOCKET_GONE}, the reset's code for {@link How#RESET}, else NO_ERROR
     * @param reason the reset's reason, or null when there was none
     */
    void closed(Connection user, MuxStream stream, How how, ErrorCode code, String reason);
}
