package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * One multiplexed stream: the state of its two directions, its windows and the bytes it holds. Owned by its
 * {@link Session} and used only on the session's thread; all wire work is done by the session and its
 * {@link Sender}.
 *
 * <p>Outbound: {@link #write} queues bytes until the peer's credit allows them out; {@link #writeQueueFull()}
 * tells the caller to pause its source, {@link StreamHandler#onWritable} to resume. Inbound: bytes go to the
 * {@link StreamHandler}, or are held (within the window) until one is attached.
 */
public final class MuxStream {
    /** Queued outbound bytes at which the source should pause. */
    public static final int HIGH_WATER = 64 * 1024;
    /** Queued outbound bytes below which a paused source may resume. */
    static final int LOW_WATER = 16 * 1024;

    final Session session;
    final int id;
    /** Credit the peer has granted this stream (see {@link SendWindow#granted}). */
    long sendCredit;
    final ReceiveWindow receiveWindow;
    StreamState state = StreamState.OPEN;
    /** OPEN_OK sent (agent) or received (server). */
    boolean established;

    /** Bytes waiting for credit; created on first use, as most streams of an idle tunnel never need one. */
    ArrayDeque<ByteBuf> outQueue;
    int outBytes;
    boolean finQueued;
    boolean blocked;
    boolean writeFull;

    StreamHandler handler;
    ArrayDeque<ByteBuf> heldIn;
    boolean heldFin;
    /** Received and not yet consumed. */
    int unconsumed;

    long bytesReceived;
    long bytesSent;

    MuxStream(Session session, int id, int initialWindow, int maxWindow) {
        this.session = session;
        this.id = id;
        this.sendCredit = initialWindow;
        this.receiveWindow = new ReceiveWindow(initialWindow, maxWindow);
    }

    public int id() {
        return id;
    }

    public Session session() {
        return session;
    }

    public StreamState state() {
        return state;
    }

    public boolean isEstablished() {
        return established;
    }

    /** Attaches the handler; bytes and a FIN held before it are delivered at once, in order. */
    public void handler(StreamHandler handler) {
        this.handler = handler;
        session.replayHeld(this);
    }

    /** Sends bytes (ownership passes); they wait here while the peer has granted no credit. */
    public void write(ByteBuf data) {
        session.write(this, data);
    }

    /** True while enough bytes wait for credit that the source should pause. */
    public boolean writeQueueFull() {
        return outBytes >= HIGH_WATER;
    }

    /** Half-closes: FIN goes out after every byte already written. */
    public void end() {
        session.end(this);
    }

    /** Abandons the stream in both directions. */
    public void reset(ErrorCode code) {
        session.resetLocally(this, code, "reset by this end");
    }

    /** Returns credit for bytes that left this process. */
    public void consumed(int bytes) {
        session.consumed(this, bytes);
    }

    /** Agent: the upstream is connected; sends OPEN_OK. */
    public void accept() {
        session.accept(this);
    }

    /** Agent: the upstream could not be reached; sends OPEN_FAILED with the reason. */
    public void refuse(ErrorCode code, String reason) {
        session.refuse(this, code, reason);
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Bytes this stream holds: queued outbound plus received and not yet consumed. */
    public long bufferedBytes() {
        return (long) outBytes + unconsumed;
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + state + ")";
    }
}
