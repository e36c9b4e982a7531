package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameListener;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.UserAddresses;
import io.netty.buffer.ByteBuf;
import org.jboss.logging.Logger;

/**
 * The receive side of one session, beside its {@link Sender}: every frame the codec decodes comes here and goes
 * on to its stream, the flow control, the handshake or the keep-alive; it enforces the per-second limits on what
 * the peer sends (docs/PROTOCOL.md §8). A frame that breaks a rule throws, and the session turns that into a wire
 * action. On the session's thread only.
 */
final class Receiver implements FrameListener {
    private static final Logger LOG = Logger.getLogger(Receiver.class);

    private final Session session;
    private final StreamTable streams;
    private final FlowControl flow;
    private final FloodLimits limits;

    Receiver(Session session, StreamTable streams, FlowControl flow, FloodLimits limits) {
        this.session = session;
        this.streams = streams;
        this.flow = flow;
        this.limits = limits;
    }

    @Override
    public void onData(int streamId, ByteBuf payload) throws MuxException {
        int n = payload.readableBytes();
        try {
            if (!session.isEstablished()) {
                throw beforeHandshake(FrameType.DATA);
            }
            flow.receiving(streamId, n);
        } catch (MuxException e) {
            payload.release();
            throw e;
        }
        MuxStream s = streams.get(streamId);
        if (s == null || !s.state().remoteOpen()) {
            payload.release();
            flow.dropped(n);
            if (s == null) {
                streams.requireOpenedOnce(streamId, FrameType.DATA);
            } else {
                session.fail(MuxException.streamError(streamId, ErrorCode.PROTOCOL_ERROR, "DATA after FIN"));
            }
            return;
        }
        try {
            flow.receiving(s, n);
        } catch (MuxException e) {
            payload.release();
            throw e;
        }
        s.onData(payload, n);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws MuxException {
        countControlFrame(FrameType.WINDOW_UPDATE);
        if (streamId == 0) {
            flow.granted(increment);
            session.sender().sendWaiting();
            return;
        }
        MuxStream s = knownStream(streamId, FrameType.WINDOW_UPDATE);
        if (s != null) {
            s.onWindowUpdate(increment);
        }
    }

    @Override
    public void onOpen(int streamId, UserAddresses addresses) throws MuxException {
        countControlFrame(FrameType.OPEN);
        if (session.role() != Role.AGENT) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "OPEN from the agent (stream %d); only the server opens streams", streamId);
        }
        streams.checkPeerOpen(streamId);
        if (session.goAwaySent() || streams.isFull()) {
            LOG.debugf("refusing stream %d: %d open", streamId, streams.size());
            session.sendControl(session.codec().refuseOpen(session.alloc(), streamId, ErrorCode.REFUSED_STREAM,
                    "too many streams"));
            session.tally().streamFailed(StreamFailure.REFUSED_STREAM);
            return;
        }
        session.handler().onStreamOpened(session, streams.acceptPeer(session, streamId), addresses);
    }

    @Override
    public void onOpenOk(int streamId) throws MuxException {
        countControlFrame(FrameType.OPEN_OK);
        MuxStream s = serverStream(streamId, FrameType.OPEN_OK);
        if (s != null) {
            s.onOpenOk();
        }
    }

    @Override
    public void onOpenFailed(int streamId, ErrorCode code, String reason) throws MuxException {
        countResetUnlessAnswer(streamId, FrameType.OPEN_FAILED);
        MuxStream s = serverStream(streamId, FrameType.OPEN_FAILED);
        if (s != null) {
            s.terminate(code, reason, true);
        }
    }

    @Override
    public void onFin(int streamId) throws MuxException {
        countControlFrame(FrameType.FIN);
        MuxStream s = knownStream(streamId, FrameType.FIN);
        if (s == null) {
            return;
        }
        try {
            s.onFin();
        } catch (MuxException e) {
            session.fail(e); // a stream error: that stream only, and the frames after it still count
        }
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws MuxException {
        countResetUnlessAnswer(streamId, FrameType.RESET);
        MuxStream s = knownStream(streamId, FrameType.RESET);
        if (s != null) {
            s.terminate(code, "reset by peer", true);
        }
    }

    @Override
    public void onPing(boolean ack, long payload) throws MuxException {
        countControlFrame(FrameType.PING);
        if (ack) {
            session.keepAlive().answered(payload, System.nanoTime());
            return;
        }
        limits.ping();
        session.sendControl(session.codec().ping(session.alloc(), true, payload));
    }

    @Override
    public void onGoAway(int lastStreamId, ErrorCode code, String reason) {
        if (session.isClosed()) {
            return; // the rest of a read that closed the session: nothing more reaches the owner
        }
        session.peerGoingAway();
        if (session.runningHandshake() != null) {
            session.closedByPeer(code, "refused by peer: " + reason);
            return;
        }
        LOG.debugf("peer sent GO_AWAY %s: %s", code, reason);
        session.handler().onGoAway(session, code, reason);
        if (code != ErrorCode.NO_ERROR) {
            session.closedByPeer(code, "peer: " + reason);
        } else if (streams.isEmpty()) {
            session.close(ErrorCode.NO_ERROR, "peer is going away: " + reason);
        }
    }

    @Override
    public void onHello(int version, String tunnel, byte[] nonce, boolean asksAddresses) throws MuxException {
        session.sendControl(handshake(FrameType.HELLO).onHello(session.alloc(), version, tunnel, nonce, asksAddresses));
    }

    @Override
    public void onChallenge(byte[] nonce, byte[] proofs) throws MuxException {
        session.sendControl(handshake(FrameType.CHALLENGE).onChallenge(session.alloc(), nonce, proofs));
    }

    @Override
    public void onAuth(byte[] proof) throws MuxException {
        session.sendControl(handshake(FrameType.AUTH).onAuth(session.alloc(), proof));
        session.establish();
    }

    @Override
    public void onWelcome() throws MuxException {
        handshake(FrameType.WELCOME).onWelcome();
        session.establish();
    }

    /** A new second: the rate windows start again. */
    void newSecond() {
        limits.newSecond();
    }

    /** A stream left the session holding {@code bytes} its socket never took. */
    void dropped(int bytes) {
        session.held().add(-bytes);
        flow.dropped(bytes);
    }

    /** Handshake frames come only while the handshake runs (the handshake itself checks their order). */
    private Handshake handshake(FrameType type) throws MuxException {
        Handshake h = session.runningHandshake();
        if (h == null) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "unexpected %s after the handshake", type);
        }
        return h;
    }

    private static MuxException beforeHandshake(FrameType type) {
        return MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s before the handshake completed", type);
    }

    /** A frame other than DATA: only after the handshake, and within the per-second limits. */
    private void countControlFrame(FrameType type) throws MuxException {
        if (!session.isEstablished()) {
            throw beforeHandshake(type);
        }
        limits.controlFrame();
    }

    /**
     * PROTOCOL.md §8 [8-8] and [8-9]: what counts towards max-resets-per-second. At the server end, the agent's
     * answer to an OPEN still waiting for OPEN_OK (OPEN_FAILED, or a RESET such as REFUSED_STREAM) is one per OPEN
     * sent, so it counts as a control frame; any other is a reset. At the agent every RESET counts as a control
     * frame: the server end resets a stream when its user goes away, so the users set that rate, and counted as
     * resets, users leaving together would end the session of every other stream.
     */
    private void countResetUnlessAnswer(int streamId, FrameType type) throws MuxException {
        if (session.role() == Role.AGENT) {
            countControlFrame(type);
            return;
        }
        MuxStream s = streams.get(streamId);
        if (s != null && !s.isEstablished()) {
            countControlFrame(type);
        } else {
            countReset(type);
        }
    }

    private void countReset(FrameType type) throws MuxException {
        if (!session.isEstablished()) {
            throw beforeHandshake(type);
        }
        limits.reset();
    }

    /** The stream, or null for one that is gone (an error if it never was). */
    private MuxStream knownStream(int streamId, FrameType type) throws MuxException {
        MuxStream s = streams.get(streamId);
        if (s == null) {
            streams.requireOpenedOnce(streamId, type);
        }
        return s;
    }

    /** OPEN_OK and OPEN_FAILED: only to the server, once per stream. */
    private MuxStream serverStream(int streamId, FrameType type) throws MuxException {
        if (session.role() != Role.SERVER) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s sent to the agent", type);
        }
        MuxStream s = knownStream(streamId, type);
        if (s != null && s.isEstablished()) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s for stream %d twice", type, streamId);
        }
        return s;
    }
}
