package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The send side of one session: the bytes each stream has queued go out as DATA frames as far as the stream's
 * credit, the session's window and the transport allow (docs/PROTOCOL.md §7, §8). A stream that could send but is
 * held back by the session window or a full transport waits in line, and goes again, in turn, when either frees
 * up. Like its session, it runs on the session's thread only.
 */
final class Sender {
    /** Smallest DATA frame sent while more is queued: starves a window-update dribble (PROTOCOL.md §8). */
    static final int MIN_CHUNK = 1024;

    private final Session session;
    private final Transport transport;
    private final Codec codec;
    /** Native format: DATA needs credit. The legacy format has none, and sends while the transport takes it. */
    private final boolean credited;
    /** Legacy server end: a user's bytes wait for SUCCESS (there is no window for the agent to hold them in). */
    private final boolean waitsForEstablished;
    private final SendWindow window = new SendWindow(WireConstants.INITIAL_SESSION_WINDOW);
    private final ArrayDeque<MuxStream> blocked = new ArrayDeque<>();

    Sender(Session session, Transport transport, Codec codec, Role role) {
        this.session = session;
        this.transport = transport;
        this.codec = codec;
        this.credited = codec.isNative();
        this.waitsForEstablished = !credited && role == Role.SERVER;
    }

    /** Queues bytes (ownership passes; the stream may still send) and sends what credit allows now. */
    void write(MuxStream s, ByteBuf data) {
        int n = data.readableBytes();
        if (s.outQueue == null) {
            s.outQueue = new ArrayDeque<>(4);
        }
        s.outQueue.add(data);
        s.outBytes += n;
        session.addBuffered(n);
        send(s);
        if (s.outBytes >= MuxStream.HIGH_WATER) {
            s.writeFull = true;
        }
    }

    /**
     * Sends what the stream has queued, as far as credit and the transport allow; then its FIN, if one waits for
     * the queue to empty, and the writable signal, if its source was paused.
     */
    void send(MuxStream s) {
        if (waitsForEstablished && !s.established) {
            return;
        }
        boolean wrote = false;
        while (s.outBytes > 0) {
            long credit = credited ? Math.min(s.sendCredit, window.credit()) : Long.MAX_VALUE;
            if (credit <= 0 || !transport.isWritable() || (credit < MIN_CHUNK && credit < s.outBytes)) {
                break;
            }
            ByteBuf head = s.outQueue.peek();
            int n = (int) Math.min(Math.min(head.readableBytes(), credit), WireConstants.MAX_PAYLOAD);
            ByteBuf chunk = n == head.readableBytes() ? s.outQueue.poll() : head.readRetainedSlice(n);
            transport.write(codec.dataHeader(transport.alloc(), s.id, n));
            transport.write(chunk);
            if (credited) {
                s.sendCredit -= n;
                window.take(n);
            }
            s.outBytes -= n;
            s.bytesSent += n;
            session.addBuffered(-n);
            wrote = true;
        }
        if (s.outBytes > 0 && !s.blocked && (!credited || s.sendCredit >= Math.min(MIN_CHUNK, s.outBytes))) {
            s.blocked = true; // the stream could send; the session window or the transport holds it back
            blocked.add(s);
        }
        if (s.outBytes == 0 && s.finQueued && s.state.localOpen()) {
            session.sendFin(s);
        }
        if (s.writeFull && s.outBytes <= MuxStream.LOW_WATER && !s.state.isTerminal()) {
            s.writeFull = false;
            if (s.handler != null) {
                s.handler.onWritable(s);
            }
        }
        if (wrote) {
            transport.flush();
        }
    }

    /** Session credit or transport room came back: each stream waiting for it goes again, once, in turn. */
    void sendBlocked() {
        int rounds = blocked.size();
        while (rounds-- > 0 && (!credited || window.credit() > 0) && transport.isWritable()) {
            MuxStream s = blocked.poll();
            s.blocked = false;
            if (!s.state.isTerminal()) {
                send(s);
            }
        }
    }

    /** The peer granted session credit (WINDOW_UPDATE on stream 0). */
    void grant(int increment) throws MuxException {
        window.grant(0, increment);
        sendBlocked();
    }

    /** Drops what a stream that was reset has queued. */
    void discard(MuxStream s) {
        if (s.outQueue != null) {
            ByteBuf b;
            while ((b = s.outQueue.poll()) != null) {
                b.release();
            }
        }
        session.addBuffered(-s.outBytes);
        s.outBytes = 0;
    }

    /** The session closed: nothing waits any more. */
    void clear() {
        blocked.clear();
    }
}
