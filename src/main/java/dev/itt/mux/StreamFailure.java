package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import java.util.Locale;

/**
 * Why a stream failed, as the {@code reason} of {@code itt_streams_failed_total}: the code it ended with
 * (docs/PROTOCOL.md §6), in a closed set of labels. A failure before OPEN_OK is a dial failure or a refusal; after
 * it, a reset. A stream that ends with FINs (or NO_ERROR) has not failed.
 */
public enum StreamFailure {
    /** The upstream refused the connection (CONNECT_REFUSED). */
    REFUSED,
    /** The agent's dial took longer than {@code connect-timeout} (CONNECT_TIMEOUT). */
    TIMEOUT,
    /** The upstream's host name could not be resolved (UNKNOWN_HOST). */
    UNKNOWN_HOST,
    HOST_UNREACHABLE,
    NETWORK_UNREACHABLE,
    /** The upstream's proxy failed or refused (PROXY_ERROR). */
    PROXY_ERROR,
    /** Any other dial failure (CONNECT_FAILED). */
    CONNECT_FAILED,
    /** The agent took no more streams: too many open or dialing (REFUSED_STREAM). */
    REFUSED_STREAM,
    /**
     * Server end: no session took the user (no agent, or every agent going away). Counted by the end, which made
     * no stream for it.
     */
    NO_AGENT,
    /** A stream's socket went away before the stream had ended (CANCEL). */
    CANCEL,
    /** The tunnel connection under the stream ended (SESSION_CLOSED). */
    SESSION_CLOSED,
    /** A stream broke a rule of the protocol (PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR). */
    PROTOCOL_ERROR,
    /** Any other code a peer reset the stream with. */
    OTHER;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** How metrics show it: {@code unknown-host}. */
    public String label() {
        return label;
    }

    /** The failure a stream that ended with {@code code} counts as, or null for NO_ERROR (not a failure). */
    public static StreamFailure of(ErrorCode code) {
        return switch (code) {
            case NO_ERROR -> null;
            case CONNECT_REFUSED -> REFUSED;
            case CONNECT_TIMEOUT -> TIMEOUT;
            case UNKNOWN_HOST -> UNKNOWN_HOST;
            case HOST_UNREACHABLE -> HOST_UNREACHABLE;
            case NETWORK_UNREACHABLE -> NETWORK_UNREACHABLE;
            case PROXY_ERROR -> PROXY_ERROR;
            case CONNECT_FAILED -> CONNECT_FAILED;
            case REFUSED_STREAM -> REFUSED_STREAM;
            case CANCEL -> CANCEL;
            case SESSION_CLOSED -> SESSION_CLOSED;
            case PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR -> PROTOCOL_ERROR;
            default -> OTHER;
        };
    }
}
