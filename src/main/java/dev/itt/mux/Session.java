package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.UserAddresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.SocketAddress;
import org.jboss.logging.Logger;

/**
 * One tunnel connection between a server end and an agent: the handshake, then many streams over it
 * (docs/PROTOCOL.md). A single-threaded state machine: every method must be called on the thread that owns the
 * transport (one Vert.x event loop), which is why it needs no locks; other threads read what its owner publishes.
 *
 * <p>The session holds the lifecycle and the parts: inbound bytes are decoded into its {@link Receiver}, which
 * routes each frame to its {@link MuxStream}, the flow control, the {@link Handshake} or the {@link KeepAlive};
 * streams' bytes go out through its {@link Sender}. Protocol errors become wire actions in one place,
 * {@link #fail}. What differs between wire formats comes in the {@link Dialect}: the session never asks which
 * format it speaks. The owner calls {@link #tick} once a second.
 */
public final class Session {
    private static final Logger LOG = Logger.getLogger(Session.class);

    private enum Phase { HANDSHAKE, OPEN, CLOSED }

    private final Role role;
    private final Transport transport;
    private final SessionConfig config;
    private final SessionHandler handler;
    private final Dialect dialect;
    private final Codec codec;
    private final StreamTable streams;
    private final HeldBytes held = new HeldBytes();
    private final FlowControl flow;
    private final Sender sender;
    private final Receiver receiver;
    private final KeepAlive keepAlive;
    private final WriteTimeout writeTimeout;
    private final Handshake handshake;
    private final Tally tally;

    private Phase phase = Phase.HANDSHAKE;
    private boolean goAwaySent;
    private boolean goAwayReceived;
    private boolean transportClosed;
    /** The peer ended the session: its GO_AWAY with an error, or its refusal of our handshake. */
    private boolean endedByPeer;
    /** The peer reads nothing of what we send: the connection is dropped, not flushed, when the session closes. */
    private boolean peerStoppedReading;
    /** Inside {@link #onRead}: a close then leaves the codec's buffers to be freed once decoding returns. */
    private boolean decoding;
    private long drainDeadlineNanos;

    public Session(Role role, Transport transport, SessionConfig config, SessionHandler handler, Dialect dialect) {
        this(role, transport, config, handler, dialect, new Tally());
    }

    /** A session that counts what it does into {@code tally}, which the other sessions of its end share. */
    public Session(Role role, Transport transport, SessionConfig config, SessionHandler handler, Dialect dialect,
            Tally tally) {
        this.role = role;
        this.tally = tally;
        this.transport = transport;
        this.config = config;
        this.handler = handler;
        this.dialect = dialect;
        this.codec = dialect.codec();
        this.streams = new StreamTable(role, config);
        this.flow = FlowControl.of(dialect.flow(), this);
        this.sender = new Sender(transport, codec, flow);
        this.receiver = new Receiver(this, streams, flow, new FloodLimits(config, dialect.frameLimits()));
        this.keepAlive = new KeepAlive(dialect.keepAlive(), config);
        this.writeTimeout = WriteTimeout.of(dialect.flow(), config);
        this.handshake = dialect.handshake() ? new Handshake(role, config, codec) : null;
    }

    // ---- lifecycle, called by the owner ------------------------------------------------------------------

    /** Starts the handshake (the agent says HELLO, the server waits for it), or opens at once without one. */
    public void start(long nowNanos) {
        keepAlive.heard(nowNanos);
        if (handshake == null) {
            establish();
            return;
        }
        ByteBuf hello = handshake.start(transport.alloc(), nowNanos);
        if (hello != null) {
            sendControl(hello);
        }
    }

    /** Bytes from the transport (ownership passes). */
    public void onRead(ByteBuf bytes) {
        if (phase == Phase.CLOSED) {
            bytes.release();
            return;
        }
        keepAlive.heard(System.nanoTime());
        decoding = true;
        try {
            codec.decode(bytes, receiver);
        } catch (MuxException e) {
            fail(e);
        } finally {
            decoding = false;
        }
        if (phase == Phase.CLOSED) {
            codec.release(); // a frame closed the session while the codec was still reading the bytes it held
        }
        transport.flush();
    }

    /** The transport's queue fell below its low-water mark: streams waiting for it may send again. */
    public void onTransportWritable() {
        sender.sendWaiting();
    }

    /** The transport is gone (closed by the peer, or failed). */
    public void onTransportClosed() {
        transportClosed = true;
        close(ErrorCode.SESSION_CLOSED, goAwayReceived ? "peer closed after GO_AWAY" : "connection lost");
    }

    /**
     * Once a second: a peer that reads nothing, handshake timeout, dead-peer detection, drain deadline, keep-alive,
     * rate windows.
     */
    public void tick(long nowNanos) {
        receiver.newSecond();
        if (phase == Phase.OPEN) {
            try {
                writeTimeout.check(nowNanos, transport); // the peer reads nothing
            } catch (MuxException e) {
                cutOff(e);
                return;
            }
        }
        try {
            if (phase == Phase.HANDSHAKE) {
                handshake.checkTime(nowNanos);
            } else if (phase == Phase.OPEN) {
                keepAlive.checkAlive(nowNanos); // a silent peer gets a GO_AWAY; the transport bounds its close
                if (drainDeadlineNanos != 0 && nowNanos - drainDeadlineNanos > 0) {
                    close(ErrorCode.NO_ERROR, "drain time over, " + streams.size() + " streams cut");
                } else if (keepAlive.pingDue(nowNanos)) {
                    sendPing(nowNanos);
                }
            }
        } catch (MuxException e) {
            fail(e);
        }
        transport.flush();
    }

    /** Graceful shutdown: GO_AWAY, no new streams, close once the open ones finish or {@code drainNanos} passes. */
    public void goAway(ErrorCode code, String reason, long drainNanos) {
        if (phase != Phase.OPEN) {
            close(code, reason);
            return;
        }
        if (!goAwaySent) {
            sendGoAway(code, reason);
            drainDeadlineNanos = System.nanoTime() + Math.max(1, drainNanos);
        }
        if (streams.isEmpty()) {
            close(code, reason);
        }
        transport.flush();
    }

    /** Ends the session now: GO_AWAY with the reason (if the connection is still up), every stream reset. */
    public void close(ErrorCode code, String reason) {
        if (phase == Phase.CLOSED) {
            return;
        }
        count(code);
        boolean farewell = !transportClosed && !peerStoppedReading && (!goAwaySent || code != ErrorCode.NO_ERROR);
        phase = Phase.CLOSED; // first: the farewell GO_AWAY must not trip the queued-bytes check again
        if (farewell) {
            sendGoAway(code, reason);
        }
        if (!decoding) {
            codec.release();
        }
        for (MuxStream s : streams.all()) {
            s.terminate(ErrorCode.SESSION_CLOSED, "session closed: " + reason, true);
        }
        sender.clear();
        if (peerStoppedReading) {
            transport.abort(); // a flush would wait for the peer to read, which it does not
        } else {
            transport.close();
        }
        handler.onClosed(this, code, reason);
    }

    /** Server: opens a stream, or returns null when this session cannot take one now. */
    public MuxStream open() {
        return open(null, null);
    }

    /**
     * Server: opens a stream for a user connected from {@code user} to {@code local}, addresses its OPEN carries if
     * the agent asked for them (PROTOCOL.md §5.2); null when this session cannot take one now.
     */
    public MuxStream open(SocketAddress user, SocketAddress local) {
        if (role != Role.SERVER || !acceptsStreams() || streams.isFull()) {
            return null;
        }
        if (streams.idsExhausted()) {
            goAway(ErrorCode.NO_ERROR, "stream ids exhausted", config.keepAliveTimeout().toNanos());
            return null;
        }
        MuxStream s = streams.openNext(this);
        UserAddresses addresses = handshake != null && handshake.peerAsksAddresses()
                ? UserAddresses.of(user, local) : null;
        sendControl(codec.open(transport.alloc(), s.id(), addresses));
        return s;
    }

    // ---- internals ---------------------------------------------------------------------------------------

    void establish() {
        phase = Phase.OPEN;
        tally.sessionOpened();
        flow.established();
        if (keepAlive.pingsOnEstablish()) {
            sendPing(System.nanoTime());
        }
        handler.onEstablished(this);
    }

    /**
     * The one place protocol errors become wire actions (PROTOCOL.md §6): a stream error resets that stream and
     * nothing else; a connection error is logged, sent in GO_AWAY, and ends the session.
     */
    void fail(MuxException e) {
        if (!e.isConnectionError()) {
            MuxStream s = streams.get(e.streamId());
            if (s != null) {
                s.reset(e.code(), e.getMessage());
            }
            return;
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        LOG.warnf("tunnel %s: closing session: %s (%s)", config.tunnel(), e.getMessage(), e.code());
        close(e.code(), e.getMessage());
    }

    /** A stream is done (closed or reset): it leaves the table, and a draining session may now close. */
    void forget(MuxStream s) {
        if (!streams.remove(s)) {
            return;
        }
        receiver.dropped(s.takeUnconsumed());
        if (streams.isEmpty() && phase == Phase.OPEN && (goAwaySent || goAwayReceived)) {
            close(ErrorCode.NO_ERROR, "drained");
        }
    }

    void sendWindowUpdate(int streamId, int increment) {
        sendControl(codec.windowUpdate(transport.alloc(), streamId, increment));
    }

    private void sendPing(long nowNanos) {
        sendControl(codec.ping(transport.alloc(), false, keepAlive.ping(nowNanos)));
    }

    /** PROTOCOL.md §7.2: a PING rides along with window updates, at most every RoundTrip.PROBE_INTERVAL_NANOS. */
    void probeRtt(long nowNanos) {
        if (keepAlive.probeDue(nowNanos)) {
            sendControl(codec.ping(transport.alloc(), false, keepAlive.probe(nowNanos)));
        }
    }

    private void sendGoAway(ErrorCode code, String reason) {
        goAwaySent = true;
        sendControl(codec.goAway(transport.alloc(), streams.lastPeerStreamId(), code, reason));
        transport.flush();
    }

    /** The peer reads nothing of what we send: the session ends without a GO_AWAY, which would only queue too. */
    private void cutOff(MuxException e) {
        peerStoppedReading = true;
        fail(e);
    }

    /** Control frames are never held back by credit; a peer that stops reading them is cut off. */
    void sendControl(ByteBuf frame) {
        if (frame == null) {
            return; // nothing to send in this wire format
        }
        if (transportClosed) {
            frame.release();
            return;
        }
        transport.write(frame);
        transport.flush();
        if (phase != Phase.CLOSED && transport.pendingBytes() > config.maxQueuedBytes()) {
            cutOff(MuxException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "peer does not read: %d bytes queued", transport.pendingBytes()));
        }
    }

    /** The one place a session's end is counted: a handshake that failed, or why an open session ended. */
    private void count(ErrorCode code) {
        if (phase == Phase.HANDSHAKE) {
            HandshakeFailure failure = HandshakeFailure.of(code);
            if (failure != null) {
                tally.handshakeFailed(failure);
            }
        } else {
            tally.sessionClosed(SessionClose.of(code, peerStoppedReading, endedByPeer, transportClosed, goAwaySent,
                    goAwayReceived));
        }
    }

    /** The peer sent GO_AWAY: it takes no new streams, and a draining session closes once its streams are done. */
    void peerGoingAway() {
        goAwayReceived = true;
    }

    /** The peer ended the session (a refusal, or GO_AWAY with an error): it reads nothing more from us. */
    void closedByPeer(ErrorCode code, String reason) {
        transportClosed = true;
        endedByPeer = true;
        close(code, reason);
    }

    // ---- for the streams, the receive side and the flow control --------------------------------------------

    /** The handshake, while it runs; null once it is over or for a format without one. */
    Handshake runningHandshake() {
        return phase == Phase.HANDSHAKE ? handshake : null;
    }

    boolean goAwaySent() {
        return goAwaySent;
    }

    SessionHandler handler() {
        return handler;
    }

    KeepAlive keepAlive() {
        return keepAlive;
    }

    /** The wire format's codec (the wire factory may tell it what the next frame is about). */
    public Codec codec() {
        return codec;
    }

    Dialect dialect() {
        return dialect;
    }

    ByteBufAllocator alloc() {
        return transport.alloc();
    }

    Sender sender() {
        return sender;
    }

    FlowControl flow() {
        return flow;
    }

    HeldBytes held() {
        return held;
    }

    Tally tally() {
        return tally;
    }

    /** Latest PING round trip, 0 before the first answer. */
    long rttNanos() {
        return keepAlive.rttNanos();
    }

    // ---- state for the owner, on the session's thread ------------------------------------------------------

    public Role role() {
        return role;
    }

    public SessionConfig config() {
        return config;
    }

    public boolean isEstablished() {
        return phase == Phase.OPEN;
    }

    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /** Established and neither end has said GO_AWAY: new streams may go here. */
    public boolean acceptsStreams() {
        return phase == Phase.OPEN && !goAwaySent && !goAwayReceived;
    }

    public int streamCount() {
        return streams.size();
    }

    /** Bytes held for streams: queued for credit plus received and not yet consumed. */
    public long bufferedBytes() {
        return held.now();
    }

    /** The highest {@link #bufferedBytes()} ever reached. */
    public long peakBufferedBytes() {
        return held.peak();
    }
}
