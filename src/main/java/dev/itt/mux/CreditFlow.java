package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import org.jboss.logging.Logger;

/**
 * Credit-based flow control (docs/PROTOCOL.md §7): the peer may send a stream and the session only what was
 * granted, and credit goes back as the local sockets drain, in WINDOW_UPDATEs that auto-tune the stream windows
 * from the round trip. The streams keep their own windows; this holds the session's two.
 */
final class CreditFlow implements FlowControl {
    private static final Logger LOG = Logger.getLogger(CreditFlow.class);

    private final Session session;
    private final ReceiveWindow receiveWindow;
    private final SendWindow sendWindow = new SendWindow(WireConstants.INITIAL_SESSION_WINDOW);

    CreditFlow(Session session) {
        this.session = session;
        this.receiveWindow = new ReceiveWindow(WireConstants.INITIAL_SESSION_WINDOW, session.config().sessionWindow());
    }

    @Override
    public void established() {
        int increment = receiveWindow.growTo(session.config().sessionWindow());
        if (increment > 0) {
            session.sendWindowUpdate(0, increment);
        }
    }

    @Override
    public void receiving(int streamId, int bytes) throws MuxException {
        if (!receiveWindow.receive(bytes)) {
            throw MuxException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "DATA of %d bytes on stream %d exceeds the session window", bytes, streamId);
        }
    }

    @Override
    public void receiving(MuxStream stream, int bytes) throws MuxException {
        if (!stream.receiveWindow().receive(bytes)) {
            throw MuxException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "DATA of %d bytes on stream %d exceeds its window", bytes, stream.id());
        }
    }

    @Override
    public void consumed(MuxStream stream, int bytes) {
        long now = System.nanoTime();
        ReceiveWindow window = stream.receiveWindow();
        int before = window.window();
        int increment = window.consume(bytes, now, session.rttNanos());
        if (window.window() != before && LOG.isDebugEnabled()) {
            LOG.debugf("stream %d: receive window %d -> %d bytes (round trip %d us)", stream.id(), before,
                    window.window(), session.rttNanos() / 1000);
        }
        if (increment > 0 && stream.state().remoteOpen()) {
            session.sendWindowUpdate(stream.id(), increment);
            session.probeRtt(now);
        }
        returnSessionCredit(bytes, now);
    }

    @Override
    public void dropped(int bytes) {
        if (bytes > 0 && !session.isClosed()) {
            returnSessionCredit(bytes, System.nanoTime());
        }
    }

    private void returnSessionCredit(int bytes, long nowNanos) {
        int increment = receiveWindow.consume(bytes, nowNanos, session.rttNanos());
        if (increment > 0) {
            session.sendWindowUpdate(0, increment);
        }
    }

    /** PROTOCOL.md §5.2: the agent holds early bytes within the stream's window while it dials. */
    @Override
    public boolean sendsBeforeOpened() {
        return true;
    }

    @Override
    public long sessionCredit() {
        return sendWindow.credit();
    }

    @Override
    public long streamCredit(MuxStream stream) {
        return stream.sendCredit();
    }

    @Override
    public void sent(MuxStream stream, int bytes) {
        stream.tookCredit(bytes);
        sendWindow.take(bytes);
    }

    @Override
    public void granted(int increment) throws MuxException {
        sendWindow.grant(0, increment);
    }
}
