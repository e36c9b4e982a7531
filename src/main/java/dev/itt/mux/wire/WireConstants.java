package dev.itt.mux.wire;

/** Every number of the native wire format, in one place (docs/PROTOCOL.md §2–§4). */
public final class WireConstants {
    private WireConstants() {}

    /** Protocol magic carried by HELLO: ASCII "ITT!". */
    public static final int MAGIC = 0x49545421;
    /** The only protocol version this implementation speaks (2: both ends prove the token, PROTOCOL.md §4.2). */
    public static final int VERSION = 2;

    /** Frame header: length u24, type u8, flags u8, stream id u32. */
    public static final int HEADER_LENGTH = 9;
    /** Largest payload any frame may carry; larger is FRAME_SIZE_ERROR. */
    public static final int MAX_PAYLOAD = 64 * 1024;
    /** Stream ids are 31 bits; the top bit is reserved and must be zero. */
    public static final int MAX_STREAM_ID = Integer.MAX_VALUE;
    /** Stream 0 is the session itself. */
    public static final int SESSION_STREAM = 0;

    /** Length of each end's handshake nonce and of an HMAC-SHA256 proof. */
    public static final int NONCE_LENGTH = 32;
    public static final int MAC_LENGTH = 32;
    /** Most proofs a CHALLENGE carries: one per token the server end accepts (a token file's lines). */
    public static final int MAX_PROOFS = 8;
    /** Tunnel names are 1..255 bytes of UTF-8. */
    public static final int MAX_NAME_LENGTH = 255;

    /** Window every stream and the session start with, before any WINDOW_UPDATE. */
    public static final int INITIAL_STREAM_WINDOW = 256 * 1024;
    public static final int INITIAL_SESSION_WINDOW = 256 * 1024;
    /** Windows are signed 31-bit quantities; a sum past this is FLOW_CONTROL_ERROR. */
    public static final long MAX_WINDOW = Integer.MAX_VALUE;

    /** Flag on PING: this is the answer to a PING with the same payload. */
    public static final int FLAG_ACK = 0x1;
    /** Flag on HELLO: the agent asks for the user's addresses in every OPEN (PROTOCOL.md §3, §5.2). */
    public static final int FLAG_ADDRESSES = 0x1;
}
