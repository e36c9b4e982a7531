package dev.itt.mux.wire;

/**
 * Reasons carried by RESET, OPEN_FAILED and GO_AWAY (docs/PROTOCOL.md §6). Unknown codes from a newer peer map to
 * {@link #UNKNOWN}, never to null.
 */
public enum ErrorCode {
    NO_ERROR(0),
    PROTOCOL_ERROR(1),
    INTERNAL_ERROR(2),
    FLOW_CONTROL_ERROR(3),
    FRAME_SIZE_ERROR(4),
    REFUSED_STREAM(5),
    CANCEL(6),
    ENHANCE_YOUR_CALM(7),
    AUTH_FAILED(8),
    UNKNOWN_TUNNEL(9),
    UNSUPPORTED_VERSION(10),
    HANDSHAKE_TIMEOUT(11),
    KEEPALIVE_TIMEOUT(12),
    SESSION_CLOSED(13),
    CONNECT_REFUSED(20),
    HOST_UNREACHABLE(21),
    NETWORK_UNREACHABLE(22),
    CONNECT_TIMEOUT(23),
    UNKNOWN_HOST(24),
    PROXY_ERROR(25),
    /** The upstream dial failed for a reason none of the codes above names; the reason text says which. */
    CONNECT_FAILED(26),
    /** A code this implementation does not know; its wire value is kept by the caller if needed. */
    UNKNOWN(-1);

    private static final ErrorCode[] BY_CODE = new ErrorCode[32];

    static {
        for (ErrorCode c : values()) {
            if (c.code >= 0) {
                BY_CODE[c.code] = c;
            }
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode fromCode(long code) {
        if (code >= 0 && code < BY_CODE.length) {
            ErrorCode c = BY_CODE[(int) code];
            if (c != null) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
