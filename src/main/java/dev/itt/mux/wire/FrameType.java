package dev.itt.mux.wire;

/** Frame types and their wire codes (docs/PROTOCOL.md §3). */
public enum FrameType {
    DATA(0x0, Scope.STREAM, 1, WireConstants.MAX_PAYLOAD),
    WINDOW_UPDATE(0x1, Scope.EITHER, 4, 4),
    OPEN(0x2, Scope.STREAM, 0, UserAddresses.IPV6_LENGTH),
    OPEN_OK(0x3, Scope.STREAM, 0, 0),
    OPEN_FAILED(0x4, Scope.STREAM, 4, WireConstants.MAX_PAYLOAD),
    FIN(0x5, Scope.STREAM, 0, 0),
    RESET(0x6, Scope.STREAM, 4, 4),
    PING(0x7, Scope.SESSION, 8, 8),
    GO_AWAY(0x8, Scope.SESSION, 8, WireConstants.MAX_PAYLOAD),
    HELLO(0x9, Scope.SESSION, 7, 6 + WireConstants.MAX_NAME_LENGTH + WireConstants.NONCE_LENGTH),
    CHALLENGE(0xA, Scope.SESSION, WireConstants.NONCE_LENGTH,
            WireConstants.NONCE_LENGTH + WireConstants.MAX_PROOFS * WireConstants.MAC_LENGTH),
    AUTH(0xB, Scope.SESSION, 0, WireConstants.MAC_LENGTH),
    WELCOME(0xC, Scope.SESSION, 0, 0);

    /** Which stream ids a frame type may carry. */
    public enum Scope {
        /** Stream id must be 0. */
        SESSION,
        /** Stream id must not be 0. */
        STREAM,
        /** 0 for the session, or a stream. */
        EITHER
    }

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Scope scope;
    private final int minLength;
    private final int maxLength;

    FrameType(int code, Scope scope, int minLength, int maxLength) {
        this.code = code;
        this.scope = scope;
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    public int code() {
        return code;
    }

    public Scope scope() {
        return scope;
    }

    /** Smallest legal payload length for this type. */
    public int minLength() {
        return minLength;
    }

    /** Largest legal payload length for this type. */
    public int maxLength() {
        return maxLength;
    }

    /** The type for a wire code, or null when the code is not a known type. */
    public static FrameType fromCode(int code) {
        return BY_CODE[code & 0xFF];
    }
}
