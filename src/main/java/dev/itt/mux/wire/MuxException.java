package dev.itt.mux.wire;

/**
 * A broken protocol rule, either fatal to the whole session ({@link #connectionError}) or to one stream
 * ({@link #streamError}). The session maps it to a wire action in one place: GO_AWAY and close, or RESET.
 * Stackless: the cause is always the peer's input, and a trace would only cost time on the hot path.
 */
public final class MuxException extends Exception {
    private final ErrorCode code;
    private final int streamId;

    private MuxException(ErrorCode code, int streamId, String message) {
        super(message, null, false, false);
        this.code = code;
        this.streamId = streamId;
    }

    public static MuxException connectionError(ErrorCode code, String format, Object... args) {
        return new MuxException(code, 0, String.format(format, args));
    }

    public static MuxException streamError(int streamId, ErrorCode code, String format, Object... args) {
        return new MuxException(code, streamId, String.format(format, args));
    }

    public ErrorCode code() {
        return code;
    }

    /** The stream the error is confined to, or 0 when it is fatal to the session. */
    public int streamId() {
        return streamId;
    }

    public boolean isConnectionError() {
        return streamId == 0;
    }
}
