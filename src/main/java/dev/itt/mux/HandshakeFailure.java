package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import java.util.Locale;

/**
 * Why a tunnel connection never became a session, as the {@code reason} of {@code itt_handshake_failures_total}.
 * The session decides all but {@link #TLS} from the code its handshake ended with (docs/PROTOCOL.md §4.3),
 * whichever end detected it; a TLS handshake fails before there is a session, and the end counts it.
 */
public enum HandshakeFailure {
    /** A missing or wrong token, or a server end that could not prove it holds the agent's (AUTH_FAILED). */
    BAD_TOKEN,
    /** The HELLO named a tunnel this server port does not serve (UNKNOWN_TUNNEL). */
    UNKNOWN_TUNNEL,
    /** The HELLO's protocol version is not this end's (UNSUPPORTED_VERSION). */
    VERSION,
    /** The handshake took longer than {@code handshake-timeout} (HANDSHAKE_TIMEOUT). */
    TIMEOUT,
    /** The TLS handshake on the tunnel connection failed (certificate, protocol, or a peer without TLS). */
    TLS,
    /** A handshake frame out of order or malformed, or any other error code. */
    PROTOCOL_ERROR,
    /** The connection closed during the handshake. */
    CONNECTION_LOST;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** How metrics show it: {@code bad-token}. */
    public String label() {
        return label;
    }

    /**
     * The failure a handshake that ended with {@code code} counts as; null for NO_ERROR, a handshake cut short by
     * either end's shutdown, which is no failure of the handshake.
     */
    static HandshakeFailure of(ErrorCode code) {
        return switch (code) {
            case NO_ERROR -> null;
            case AUTH_FAILED -> BAD_TOKEN;
            case UNKNOWN_TUNNEL -> UNKNOWN_TUNNEL;
            case UNSUPPORTED_VERSION -> VERSION;
            case HANDSHAKE_TIMEOUT -> TIMEOUT;
            case SESSION_CLOSED -> CONNECTION_LOST;
            default -> PROTOCOL_ERROR;
        };
    }
}
