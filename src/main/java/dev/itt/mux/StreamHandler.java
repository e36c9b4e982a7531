package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.ByteBuf;

/** What a stream tells the code that pumps it to a socket. Called on the session's thread. */
public interface StreamHandler {
    /**
     * Bytes from the peer. The handler owns {@code data} and calls {@link MuxStream#consumed(int)} once the bytes
     * have left this process (the local socket accepted them): that, and only that, returns credit to the peer.
     */
    void onData(MuxStream stream, ByteBuf data);

    /** The peer will send no more bytes (half-close); the other direction may still flow. */
    void onFin(MuxStream stream);

    /** The stream is gone (reset by either side, refused, or the session ended). No more callbacks follow. */
    void onReset(MuxStream stream, ErrorCode code, String reason);

    /** {@link MuxStream#writeQueueFull()} turned false: resume reading the local socket. */
    void onWritable(MuxStream stream);

    /** Server only: the agent connected the upstream. */
    default void onOpened(MuxStream stream) {}
}
