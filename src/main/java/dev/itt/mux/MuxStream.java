package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * One multiplexed stream: the state of its two directions, its windows, the bytes it holds, and what it does as
 * either side writes, ends, consumes or resets it (docs/PROTOCOL.md §5). Owned by its {@link Session} and used
 * only on the session's thread; the session's {@link Sender} takes its queued bytes out as credit allows.
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

    private final Session session;
    private final int id;
    /** Credit the peer has granted this stream (see {@link SendWindow#granted}). */
    private long sendCredit;
    private final ReceiveWindow receiveWindow;
    private StreamState state = StreamState.OPEN;
    /** OPEN_OK sent (agent) or received (server). */
    private boolean established;

    /**
     * Bytes waiting for credit: the oldest buffer, and behind it the others. Most writes go out at once, so the
     * queue is created only when a second buffer has to wait (an idle stream then holds no empty queue).
     */
    private ByteBuf outHead;
    private ArrayDeque<ByteBuf> outQueue;
    private int outBytes;
    private boolean finQueued;
    /** In the sender's line of streams waiting for session credit or transport room. */
    private boolean waiting;
    private boolean writeFull;

    private StreamHandler handler;
    private ArrayDeque<ByteBuf> heldIn;
    private boolean heldFin;
    /** Received and not yet consumed. */
    private int unconsumed;

    private long bytesReceived;
    private long bytesSent;
    /** When the OPEN went out (server) or came in (agent), {@link System#nanoTime()}. */
    private final long openedNanos;

    MuxStream(Session session, int id, int initialWindow, int maxWindow) {
        this.session = session;
        this.id = id;
        this.openedNanos = System.nanoTime();
        this.sendCredit = initialWindow;
        this.receiveWindow = new ReceiveWindow(initialWindow, maxWindow);
    }

    public int id() {
        return id;
    }

    public StreamState state() {
        return state;
    }

    public boolean isEstablished() {
        return established;
    }

    /** When the stream was opened: the OPEN went out (server) or came in (agent), {@link System#nanoTime()}. */
    public long openedNanos() {
        return openedNanos;
    }

    // ---- the local side: the code that pumps a socket ----------------------------------------------------

    /** Attaches the handler; bytes and a FIN held before it are delivered at once, in order. */
    public void handler(StreamHandler handler) {
        this.handler = handler;
        while (heldIn != null && !heldIn.isEmpty() && !state.isTerminal()) {
            handler.onData(this, heldIn.poll());
        }
        if (heldIn != null && heldIn.isEmpty()) {
            heldIn = null; // with a handler attached, nothing is held again
        }
        if (heldFin && !state.isTerminal()) {
            heldFin = false;
            handler.onFin(this);
        }
    }

    /** Sends bytes (ownership passes); they wait here while the peer has granted no credit. */
    public void write(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0 || !state.localOpen() || finQueued) {
            data.release();
            return;
        }
        if (outHead == null) {
            outHead = data;
        } else {
            if (outQueue == null) {
                outQueue = new ArrayDeque<>(4);
            }
            outQueue.add(data);
        }
        outBytes += n;
        session.held().add(n);
        session.sender().send(this);
        if (outBytes >= HIGH_WATER) {
            writeFull = true;
        }
    }

    /** True while enough bytes wait for credit that the source should pause. */
    public boolean writeQueueFull() {
        return outBytes >= HIGH_WATER;
    }

    /** Half-closes: FIN goes out after every byte already written. */
    public void end() {
        if (!state.localOpen() || finQueued) {
            return;
        }
        finQueued = true;
        if (outBytes == 0) {
            sendFin();
        }
    }

    /** Abandons the stream in both directions. */
    public void reset(ErrorCode code) {
        reset(code, "reset by this end");
    }

    /** Returns credit for bytes that left this process. */
    public void consumed(int bytes) {
        if (state.isTerminal() || bytes <= 0) {
            return;
        }
        int n = Math.min(bytes, unconsumed);
        unconsumed -= n;
        session.held().add(-n);
        session.flow().consumed(this, n);
    }

    /** Agent: the upstream is connected; sends OPEN_OK. */
    public void accept() {
        if (state.isTerminal() || established) {
            return;
        }
        established = true;
        session.tally().streamOpened(System.nanoTime() - openedNanos);
        session.sendControl(session.codec().openOk(session.alloc(), id));
        session.sender().send(this);
    }

    /** Agent: the upstream could not be reached; sends OPEN_FAILED with the reason. */
    public void refuse(ErrorCode code, String reason) {
        if (state.isTerminal()) {
            return;
        }
        session.sendControl(session.codec().openFailed(session.alloc(), id, code, reason));
        terminate(code, reason, false);
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

    // ---- the peer's side: frames the session routes here -------------------------------------------------

    /** DATA, already counted against the windows: to the handler, or held until there is one. */
    void onData(ByteBuf payload, int n) {
        unconsumed += n;
        bytesReceived += n;
        session.tally().received(n);
        session.held().add(n);
        if (handler == null || (heldIn != null && !heldIn.isEmpty())) {
            if (heldIn == null) {
                heldIn = new ArrayDeque<>(4);
            }
            heldIn.add(payload);
        } else {
            handler.onData(this, payload);
        }
    }

    /** The peer's FIN: its direction is over (a FIN where it already was is a stream error). */
    void onFin() throws MuxException {
        state = state.closeRemote(id);
        if (handler == null || (heldIn != null && !heldIn.isEmpty())) {
            heldFin = true;
        } else {
            handler.onFin(this);
        }
        if (state == StreamState.CLOSED) {
            session.forget(this);
        }
    }

    /** Server: the agent connected the upstream (OPEN_OK); bytes held for that go out now. */
    void onOpenOk() {
        established = true;
        session.tally().streamOpened(System.nanoTime() - openedNanos);
        if (handler != null) {
            handler.onOpened(this);
        }
        session.sender().send(this);
    }

    /** The peer granted this stream credit. */
    void onWindowUpdate(int increment) throws MuxException {
        sendCredit = SendWindow.granted(sendCredit, id, increment);
        session.sender().send(this);
    }

    /** Ends the stream from this side: RESET to the peer, then gone. */
    void reset(ErrorCode code, String reason) {
        if (state.isTerminal()) {
            return;
        }
        session.sendControl(session.codec().reset(session.alloc(), id, code));
        terminate(code, reason, true);
    }

    /** Drops the stream at once: queued and held bytes released, the handler told (if {@code notify}). */
    void terminate(ErrorCode code, String reason, boolean notify) {
        state = StreamState.RESET;
        session.tally().streamEnded(code);
        discardQueued();
        ByteBuf b;
        if (heldIn != null) {
            while ((b = heldIn.poll()) != null) {
                b.release();
            }
        }
        session.forget(this);
        if (notify && handler != null) {
            handler.onReset(this, code, reason);
        }
    }

    /** Bytes received and not consumed, handed back as the stream leaves the session. */
    int takeUnconsumed() {
        int n = unconsumed;
        unconsumed = 0;
        return n;
    }

    // ---- the send side, for the Sender -------------------------------------------------------------------

    int queuedBytes() {
        return outBytes;
    }

    /** The next DATA payload of at most {@code max} bytes (ownership passes); there must be one. */
    ByteBuf nextChunk(long max) {
        ByteBuf head = outHead;
        int n = (int) Math.min(Math.min(head.readableBytes(), max), WireConstants.MAX_PAYLOAD);
        ByteBuf chunk;
        if (n == head.readableBytes()) {
            chunk = head;
            outHead = outQueue == null ? null : outQueue.poll();
        } else {
            chunk = head.readRetainedSlice(n);
        }
        outBytes -= n;
        bytesSent += n;
        session.tally().sent(n);
        session.held().add(-n);
        return chunk;
    }

    /** After a send: the FIN, if one waits for the queue to empty, and the writable signal, if due. */
    void afterSend() {
        if (outBytes == 0 && finQueued && state.localOpen()) {
            sendFin();
        }
        if (writeFull && outBytes <= LOW_WATER && !state.isTerminal()) {
            writeFull = false;
            if (handler != null) {
                handler.onWritable(this);
            }
        }
    }

    /** FIN out, after every byte queued before it. */
    private void sendFin() {
        session.sendControl(session.codec().fin(session.alloc(), id));
        if (!session.dialect().halfClose()) {
            terminate(ErrorCode.NO_ERROR, "closed (this wire format has no half-close)", true);
            return;
        }
        state = state.closeLocal();
        if (state == StreamState.CLOSED) {
            session.forget(this);
        }
    }

    private void discardQueued() {
        if (outHead != null) {
            outHead.release();
            outHead = null;
        }
        if (outQueue != null) {
            ByteBuf b;
            while ((b = outQueue.poll()) != null) {
                b.release();
            }
        }
        session.held().add(-outBytes);
        outBytes = 0;
    }

    boolean markWaiting() {
        if (waiting) {
            return false;
        }
        waiting = true;
        return true;
    }

    void clearWaiting() {
        waiting = false;
    }

    long sendCredit() {
        return sendCredit;
    }

    void tookCredit(int bytes) {
        sendCredit -= bytes;
    }

    ReceiveWindow receiveWindow() {
        return receiveWindow;
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + state + ")";
    }
}
