package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The send side of one session: the bytes each stream has queued go out as DATA frames as far as the flow
 * control and the transport allow (docs/PROTOCOL.md §7, §8). A stream that could send but is held back by the
 * session's credit or a full transport waits in line, and goes again, in turn, when either frees up. Like its
 * session, it runs on the session's thread only.
 */
final class Sender {
    /** Smallest DATA frame sent while more is queued: starves a window-update dribble (PROTOCOL.md §8). */
    static final int MIN_CHUNK = 1024;

    private final Transport transport;
    private final Codec codec;
    private final FlowControl flow;
    private final ArrayDeque<MuxStream> waiting = new ArrayDeque<>();

    Sender(Transport transport, Codec codec, FlowControl flow) {
        this.transport = transport;
        this.codec = codec;
        this.flow = flow;
    }

    /**
     * Sends what the stream has queued, as far as credit and the transport allow; then lets the stream send its
     * FIN or wake its source, if either is due.
     */
    void send(MuxStream s) {
        if (!s.isEstablished() && !flow.sendsBeforeOpened()) {
            return;
        }
        boolean wrote = false;
        while (s.queuedBytes() > 0) {
            long credit = Math.min(flow.streamCredit(s), flow.sessionCredit());
            if (credit <= 0 || !transport.isWritable() || (credit < MIN_CHUNK && credit < s.queuedBytes())) {
                break;
            }
            ByteBuf chunk = s.nextChunk(credit);
            int n = chunk.readableBytes();
            transport.write(codec.dataHeader(transport.alloc(), s.id(), n));
            transport.write(chunk);
            flow.sent(s, n);
            wrote = true;
        }
        if (s.queuedBytes() > 0 && flow.streamCredit(s) >= Math.min(MIN_CHUNK, s.queuedBytes()) && s.markWaiting()) {
            waiting.add(s); // the stream could send; the session's credit or the transport holds it back
        }
        s.afterSend();
        if (wrote) {
            transport.flush();
        }
    }

    /** Session credit or transport room came back: each stream waiting for it goes again, once, in turn. */
    void sendWaiting() {
        int rounds = waiting.size();
        while (rounds-- > 0 && flow.sessionCredit() > 0 && transport.isWritable()) {
            MuxStream s = waiting.poll();
            s.clearWaiting();
            if (!s.state().isTerminal()) {
                send(s);
            }
        }
    }

    /** The session closed: nothing waits any more. */
    void clear() {
        waiting.clear();
    }
}
