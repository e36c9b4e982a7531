package dev.itt.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The connection a session writes its frames to. Implemented over a socket by the Vert.x adapter and over an
 * in-memory pipe in tests. All calls come from the session's single thread.
 */
public interface Transport {
    ByteBufAllocator alloc();

    /** Queues a buffer (ownership passes); nothing is sent before {@link #flush()}. */
    void write(ByteBuf buf);

    /** Sends what was queued; implementations may defer to the end of the current event-loop turn. */
    void flush();

    /** False once the queue passes its high-water mark; {@link Session#onTransportWritable()} follows. */
    boolean isWritable();

    /** Bytes queued and not yet handed to the network. */
    long pendingBytes();

    /**
     * A mark of how far the network has taken the queue: it changes whenever queued bytes go out, and not when
     * more are queued behind them. Equal marks a while apart, with bytes pending, mean nothing went out.
     */
    long sentMark();

    /**
     * Flushes what is queued, then closes the connection; if the peer has not taken it all within a few seconds,
     * drops it as {@link #abort()} does, so that a peer that stopped reading cannot keep the connection open.
     */
    void close();

    /** Closes the connection at once, dropping whatever is still queued: for a peer that reads nothing. */
    void abort();
}
