package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.FrameListener;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.NativeCodec;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.jboss.logging.Logger;

/**
 * One tunnel connection between a server end and an agent: the handshake, then many streams over it, with
 * per-stream and session-wide credit (docs/PROTOCOL.md). A single-threaded state machine: every method must be
 * called on the thread that owns the transport (one Vert.x event loop), which is why it needs no locks.
 *
 * <p>Inbound bytes arrive through {@link #onRead}, are decoded and dispatched to the {@link FrameListener}
 * methods below; protocol errors surface as {@link MuxException} and are turned into wire actions in one place,
 * {@link #fail}. The owner also calls {@link #tick} once a second for keep-alive, timeouts and rate limits.
 * Streams' outbound bytes go out through the session's {@link Sender}, which holds the session's send window.
 */
public final class Session implements FrameListener {
    private static final Logger LOG = Logger.getLogger(Session.class);
    private static final long NANOS_PER_MS = 1_000_000L;
    private static final VarHandle BUFFERED;
    private static final VarHandle PEAK_BUFFERED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BUFFERED = lookup.findVarHandle(Session.class, "buffered", long.class);
            PEAK_BUFFERED = lookup.findVarHandle(Session.class, "peakBuffered", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private enum Phase { HANDSHAKE, OPEN, CLOSED }

    private final Role role;
    private final Transport transport;
    private final SessionConfig config;
    private final SessionHandler handler;
    private final Codec codec;
    private boolean readingPaused;
    private final IntObjectHashMap<MuxStream> streams = new IntObjectHashMap<>();
    private final Sender sender;
    private final ReceiveWindow receiveWindow;

    private Phase phase = Phase.HANDSHAKE;
    private final Handshake handshake;
    private int nextStreamId = 1;
    private int lastPeerStreamId;
    private int pendingOpens;
    private boolean goAwaySent;
    private boolean goAwayReceived;
    private boolean transportClosed;
    private long drainDeadlineNanos;

    private long createdNanos;
    private long lastReadNanos;
    private final RoundTrip roundTrip = new RoundTrip();
    private final FloodLimits limits;

    private long streamsOpened;
    @SuppressWarnings("unused") // read and written through BUFFERED
    private long buffered;
    @SuppressWarnings("unused") // read and written through PEAK_BUFFERED
    private long peakBuffered;
    private ErrorCode closeCode;
    private String closeReason;

    public Session(Role role, Transport transport, SessionConfig config, SessionHandler handler) {
        this(role, transport, config, handler, new NativeCodec());
    }

    /** A session over another wire format (the legacy one): see {@link Codec#isNative()} for what it leaves out. */
    public Session(Role role, Transport transport, SessionConfig config, SessionHandler handler, Codec codec) {
        this.codec = codec;
        this.role = role;
        this.transport = transport;
        this.config = config;
        this.handler = handler;
        this.receiveWindow = new ReceiveWindow(WireConstants.INITIAL_SESSION_WINDOW, config.sessionWindow());
        this.limits = new FloodLimits(config, codec.isNative());
        this.handshake = new Handshake(role, config, codec);
        this.sender = new Sender(this, transport, codec, role);
    }

    // ---- lifecycle, called by the owner ------------------------------------------------------------------

    /** Starts the handshake: the agent says HELLO, the server waits for it. */
    public void start(long nowNanos) {
        createdNanos = nowNanos;
        lastReadNanos = nowNanos;
        if (!codec.isNative()) {
            establish(); // the legacy format has no handshake
            return;
        }
        ByteBuf hello = handshake.start(transport.alloc());
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
        lastReadNanos = System.nanoTime();
        try {
            codec.decode(bytes, this);
        } catch (MuxException e) {
            fail(e);
        }
        transport.flush();
    }

    /** The transport's queue fell below its low-water mark: streams waiting for it may send again. */
    public void onTransportWritable() {
        sender.sendBlocked();
    }

    /** The transport is gone (closed by the peer, or failed). */
    public void onTransportClosed() {
        transportClosed = true;
        close(ErrorCode.SESSION_CLOSED, goAwayReceived ? "peer closed after GO_AWAY" : "connection lost");
    }

    /** Once a second: handshake timeout, keep-alive, dead-peer detection, drain deadline, rate windows. */
    public void tick(long nowNanos) {
        limits.newSecond();
        if (!codec.isNative()) {
            if (drainDeadlineNanos != 0 && nowNanos - drainDeadlineNanos > 0) {
                close(ErrorCode.NO_ERROR, "drain time over, " + streams.size() + " streams cut");
            }
            return; // the legacy format has no keep-alive: an idle tunnel is a healthy one
        }
        if (phase == Phase.HANDSHAKE && nowNanos - createdNanos > config.handshakeTimeout().toNanos()) {
            fail(MuxException.connectionError(ErrorCode.HANDSHAKE_TIMEOUT,
                    "handshake not completed within %d ms", config.handshakeTimeout().toMillis()));
        } else if (phase == Phase.OPEN) {
            long idle = nowNanos - lastReadNanos;
            if (idle > config.keepAliveTimeout().toNanos()) {
                fail(MuxException.connectionError(ErrorCode.KEEPALIVE_TIMEOUT,
                        "no frame from the peer for %d ms", idle / NANOS_PER_MS));
            } else if (drainDeadlineNanos != 0 && nowNanos - drainDeadlineNanos > 0) {
                close(ErrorCode.NO_ERROR, "drain time over, " + streams.size() + " streams cut");
            } else if (idle >= config.keepAliveInterval().toNanos() && !roundTrip.outstanding()) {
                sendPing(nowNanos);
            }
        }
        transport.flush();
    }

    /**
     * Graceful shutdown: GO_AWAY, no new streams, close once the open ones finish or {@code drainNanos} passes.
     */
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
        boolean farewell = !transportClosed && (!goAwaySent || code != ErrorCode.NO_ERROR);
        phase = Phase.CLOSED; // first: the farewell GO_AWAY must not trip the queued-bytes check again
        if (farewell) {
            sendGoAway(code, reason);
        }
        closeCode = code;
        closeReason = reason;
        codec.release();
        ArrayList<MuxStream> open = new ArrayList<>(streams.values());
        for (MuxStream s : open) {
            terminate(s, ErrorCode.SESSION_CLOSED, "session closed: " + reason, true);
        }
        sender.clear();
        transport.close();
        handler.onClosed(this, code, reason);
    }

    // ---- streams, called by the owner and by MuxStream ---------------------------------------------------

    /** Server: opens a stream on this session, or returns null when it cannot take one now. */
    public MuxStream open() {
        return open(null);
    }

    /**
     * Server: opens a stream for a user, or returns null when this session cannot take one now.
     *
     * @param peer the user's address as the acceptor saw it (the legacy format keys streams by it)
     */
    public MuxStream open(Object peer) {
        if (role != Role.SERVER || !acceptsStreams() || streams.size() >= config.maxStreams()) {
            return null;
        }
        if (nextStreamId == WireConstants.MAX_STREAM_ID) {
            goAway(ErrorCode.NO_ERROR, "stream ids exhausted", config.keepAliveTimeout().toNanos());
            return null;
        }
        MuxStream s = newStream(nextStreamId++);
        sendControl(codec.open(transport.alloc(), s.id, peer));
        return s;
    }

    void write(MuxStream s, ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0 || !s.state.localOpen() || s.finQueued) {
            data.release();
            return;
        }
        sender.write(s, data);
    }

    void end(MuxStream s) {
        if (!s.state.localOpen() || s.finQueued) {
            return;
        }
        s.finQueued = true;
        if (s.outBytes == 0) {
            sendFin(s);
        }
    }

    void consumed(MuxStream s, int bytes) {
        if (s.state.isTerminal() || bytes <= 0) {
            return;
        }
        int n = Math.min(bytes, s.unconsumed);
        s.unconsumed -= n;
        addBuffered(-n);
        if (!codec.isNative()) {
            resumeReadingIfDrained();
            return;
        }
        long now = System.nanoTime();
        int increment = s.receiveWindow.consume(n, now, roundTrip.nanos());
        if (increment > 0 && s.state.remoteOpen()) {
            sendWindowUpdate(s.id, increment);
            probeRtt(now);
        }
        returnSessionCredit(n, now);
    }

    void accept(MuxStream s) {
        if (s.state.isTerminal() || s.established) {
            return;
        }
        s.established = true;
        pendingOpens--;
        sendControl(codec.openOk(transport.alloc(), s.id));
        sender.send(s);
    }

    void refuse(MuxStream s, ErrorCode code, String reason) {
        if (s.state.isTerminal()) {
            return;
        }
        sendControl(codec.openFailed(transport.alloc(), s.id, code, reason));
        terminate(s, code, reason, false);
    }

    void resetLocally(MuxStream s, ErrorCode code, String reason) {
        if (s.state.isTerminal()) {
            return;
        }
        sendControl(codec.reset(transport.alloc(), s.id, code));
        terminate(s, code, reason, true);
    }

    void replayHeld(MuxStream s) {
        StreamHandler h = s.handler;
        if (h == null) {
            return;
        }
        while (s.heldIn != null && !s.heldIn.isEmpty() && !s.state.isTerminal()) {
            h.onData(s, s.heldIn.poll());
        }
        if (s.heldFin && !s.state.isTerminal()) {
            s.heldFin = false;
            h.onFin(s);
        }
    }

    // ---- frames from the peer ----------------------------------------------------------------------------

    @Override
    public void onData(int streamId, ByteBuf payload) throws MuxException {
        int n = payload.readableBytes();
        if (phase != Phase.OPEN) {
            payload.release();
            throw beforeHandshake(FrameType.DATA);
        }
        if (codec.isNative() && !receiveWindow.receive(n)) {
            payload.release();
            throw MuxException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "DATA of %d bytes on stream %d exceeds the session window", n, streamId);
        }
        MuxStream s = streams.get(streamId);
        if (s == null || !s.state.remoteOpen()) {
            payload.release();
            if (codec.isNative()) {
                returnSessionCredit(n, System.nanoTime());
            }
            if (s == null) {
                requireOpenedOnce(streamId, FrameType.DATA);
            } else {
                resetLocally(s, ErrorCode.PROTOCOL_ERROR, "DATA after FIN");
            }
            return;
        }
        if (codec.isNative() && !s.receiveWindow.receive(n)) {
            payload.release();
            throw MuxException.connectionError(ErrorCode.FLOW_CONTROL_ERROR,
                    "DATA of %d bytes on stream %d exceeds its window", n, streamId);
        }
        s.unconsumed += n;
        s.bytesReceived += n;
        addBuffered(n);
        if (!codec.isNative()) {
            pauseReadingIfFull();
        }
        if (s.handler == null || (s.heldIn != null && !s.heldIn.isEmpty())) {
            if (s.heldIn == null) {
                s.heldIn = new ArrayDeque<>(4);
            }
            s.heldIn.add(payload);
        } else {
            s.handler.onData(s, payload);
        }
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws MuxException {
        countControlFrame(FrameType.WINDOW_UPDATE);
        if (streamId == 0) {
            sender.grant(increment);
            return;
        }
        MuxStream s = streams.get(streamId);
        if (s == null) {
            requireOpenedOnce(streamId, FrameType.WINDOW_UPDATE);
            return;
        }
        s.sendCredit = SendWindow.granted(s.sendCredit, streamId, increment);
        sender.send(s);
    }

    @Override
    public void onOpen(int streamId) throws MuxException {
        countControlFrame(FrameType.OPEN);
        if (role != Role.AGENT) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "OPEN from the agent (stream %d); only the server opens streams", streamId);
        }
        if (streamId <= lastPeerStreamId) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "OPEN of stream %d, not above the last (%d)", streamId, lastPeerStreamId);
        }
        lastPeerStreamId = streamId;
        if (goAwaySent || streams.size() >= config.maxStreams() || pendingOpens >= config.maxPendingOpens()) {
            LOG.debugf("refusing stream %d: %d open, %d dialing", streamId, streams.size(), pendingOpens);
            // native: RESET (PROTOCOL.md §5.2); legacy: a failure reply, since a close would claim the dial succeeded
            sendControl(codec.isNative() ? codec.reset(transport.alloc(), streamId, ErrorCode.REFUSED_STREAM)
                    : codec.openFailed(transport.alloc(), streamId, ErrorCode.REFUSED_STREAM, "too many streams"));
            return;
        }
        MuxStream s = newStream(streamId);
        pendingOpens++;
        handler.onStreamOpened(this, s);
    }

    @Override
    public void onOpenOk(int streamId) throws MuxException {
        countControlFrame(FrameType.OPEN_OK);
        MuxStream s = serverStream(streamId, FrameType.OPEN_OK);
        if (s == null) {
            return;
        }
        s.established = true;
        if (s.handler != null) {
            s.handler.onOpened(s);
        }
        if (!codec.isNative()) {
            sender.send(s);
        }
    }

    @Override
    public void onOpenFailed(int streamId, ErrorCode code, String reason) throws MuxException {
        countReset(FrameType.OPEN_FAILED);
        MuxStream s = serverStream(streamId, FrameType.OPEN_FAILED);
        if (s != null) {
            terminate(s, code, reason, true);
        }
    }

    @Override
    public void onFin(int streamId) throws MuxException {
        countControlFrame(FrameType.FIN);
        MuxStream s = streams.get(streamId);
        if (s == null) {
            requireOpenedOnce(streamId, FrameType.FIN);
            return;
        }
        try {
            s.state = s.state.closeRemote(streamId);
        } catch (MuxException e) {
            resetLocally(s, e.code(), e.getMessage());
            return;
        }
        if (s.handler == null || (s.heldIn != null && !s.heldIn.isEmpty())) {
            s.heldFin = true;
        } else {
            s.handler.onFin(s);
        }
        if (s.state == StreamState.CLOSED) {
            removeStream(s);
        }
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws MuxException {
        countReset(FrameType.RESET);
        MuxStream s = streams.get(streamId);
        if (s == null) {
            requireOpenedOnce(streamId, FrameType.RESET);
            return;
        }
        terminate(s, code, "reset by peer", true);
    }

    @Override
    public void onPing(boolean ack, long payload) throws MuxException {
        countControlFrame(FrameType.PING);
        if (ack) {
            roundTrip.answered(payload, System.nanoTime());
            return;
        }
        limits.ping();
        sendControl(codec.ping(transport.alloc(), true, payload));
    }

    @Override
    public void onGoAway(int lastStreamId, ErrorCode code, String reason) {
        goAwayReceived = true;
        if (phase == Phase.HANDSHAKE) {
            transportClosed = true;
            close(code, "refused by peer: " + reason);
            return;
        }
        LOG.debugf("peer sent GO_AWAY %s: %s", code, reason);
        handler.onGoAway(this, code, reason);
        if (code != ErrorCode.NO_ERROR) {
            transportClosed = true;
            close(code, "peer: " + reason);
        } else if (streams.isEmpty()) {
            close(ErrorCode.NO_ERROR, "peer is going away: " + reason);
        }
    }

    @Override
    public void onHello(int version, String tunnel) throws MuxException {
        inHandshake(FrameType.HELLO);
        sendControl(handshake.onHello(transport.alloc(), version, tunnel));
    }

    @Override
    public void onChallenge(byte[] challenge) throws MuxException {
        inHandshake(FrameType.CHALLENGE);
        sendControl(handshake.onChallenge(transport.alloc(), challenge));
    }

    @Override
    public void onAuth(byte[] mac) throws MuxException {
        inHandshake(FrameType.AUTH);
        sendControl(handshake.onAuth(transport.alloc(), mac));
        establish();
    }

    @Override
    public void onWelcome() throws MuxException {
        inHandshake(FrameType.WELCOME);
        handshake.onWelcome();
        establish();
    }

    // ---- internals ---------------------------------------------------------------------------------------

    private void establish() {
        phase = Phase.OPEN;
        if (codec.isNative()) {
            int increment = receiveWindow.growTo(config.sessionWindow());
            if (increment > 0) {
                sendWindowUpdate(0, increment);
            }
            sendPing(System.nanoTime());
        }
        handler.onEstablished(this);
    }

    /** Handshake frames come only while the handshake runs (the handshake itself checks their order). */
    private void inHandshake(FrameType type) throws MuxException {
        if (phase != Phase.HANDSHAKE) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "unexpected %s after the handshake", type);
        }
    }

    private MuxException beforeHandshake(FrameType type) {
        return MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s before the handshake completed", type);
    }

    /** A frame other than DATA: only after the handshake, and within the per-second limits. */
    private void countControlFrame(FrameType type) throws MuxException {
        if (phase != Phase.OPEN) {
            throw beforeHandshake(type);
        }
        limits.controlFrame();
    }

    private void countReset(FrameType type) throws MuxException {
        if (phase != Phase.OPEN) {
            throw beforeHandshake(type);
        }
        limits.reset();
    }

    /** A frame for a stream we do not hold: fine if the stream existed (it raced its close), an error if not. */
    private void requireOpenedOnce(int streamId, FrameType type) throws MuxException {
        boolean existed = role == Role.SERVER ? streamId < nextStreamId : streamId <= lastPeerStreamId;
        if (!existed) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "%s on stream %d, which was never opened", type, streamId);
        }
    }

    private MuxStream serverStream(int streamId, FrameType type) throws MuxException {
        if (role != Role.SERVER) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s sent to the agent", type);
        }
        MuxStream s = streams.get(streamId);
        if (s == null) {
            requireOpenedOnce(streamId, type);
            return null;
        }
        if (s.established) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "%s for stream %d twice", type, streamId);
        }
        return s;
    }

    private MuxStream newStream(int id) {
        MuxStream s = new MuxStream(this, id, WireConstants.INITIAL_STREAM_WINDOW, config.maxStreamWindow());
        streams.put(id, s);
        streamsOpened++;
        return s;
    }

    /** FIN out, after every byte queued before it (the sender calls this once its queue is empty). */
    void sendFin(MuxStream s) {
        sendControl(codec.fin(transport.alloc(), s.id));
        if (!codec.isNative()) {
            // no half-close in the legacy format: the close ends both directions
            terminate(s, ErrorCode.NO_ERROR, "closed (the legacy format has no half-close)", true);
            return;
        }
        s.state = s.state.closeLocal();
        if (s.state == StreamState.CLOSED) {
            removeStream(s);
        }
    }

    private void sendWindowUpdate(int streamId, int increment) {
        sendControl(codec.windowUpdate(transport.alloc(), streamId, increment));
    }

    private void sendPing(long nowNanos) {
        sendControl(codec.ping(transport.alloc(), false, roundTrip.send(nowNanos)));
    }

    /** PROTOCOL.md §7.2: a PING rides along with window updates, at most every RoundTrip.PROBE_INTERVAL_NANOS. */
    private void probeRtt(long nowNanos) {
        if (roundTrip.probeDue(nowNanos)) {
            sendPing(nowNanos);
        }
    }

    private void sendGoAway(ErrorCode code, String reason) {
        goAwaySent = true;
        sendControl(codec.goAway(transport.alloc(), lastPeerStreamId, code, reason));
        transport.flush();
    }

    /** Control frames are never held back by credit; a peer that stops reading them is cut off. */
    private void sendControl(ByteBuf frame) {
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
            fail(MuxException.connectionError(ErrorCode.ENHANCE_YOUR_CALM,
                    "peer does not read: %d bytes queued", transport.pendingBytes()));
        }
    }

    private void returnSessionCredit(int bytes, long nowNanos) {
        int increment = receiveWindow.consume(bytes, nowNanos, roundTrip.nanos());
        if (increment > 0) {
            sendWindowUpdate(0, increment);
        }
    }

    /** Drops a stream at once: queued bytes released, its unconsumed bytes credited back to the session. */
    private void terminate(MuxStream s, ErrorCode code, String reason, boolean notify) {
        s.state = StreamState.RESET;
        sender.discard(s);
        ByteBuf b;
        if (s.heldIn != null) {
            while ((b = s.heldIn.poll()) != null) {
                b.release();
            }
        }
        removeStream(s);
        if (notify && s.handler != null) {
            s.handler.onReset(s, code, reason);
        }
    }

    private void removeStream(MuxStream s) {
        if (streams.remove(s.id) == null) {
            return;
        }
        if (role == Role.AGENT && !s.established) {
            pendingOpens--;
        }
        if (s.unconsumed > 0 && phase != Phase.CLOSED && codec.isNative()) {
            returnSessionCredit(s.unconsumed, System.nanoTime());
        }
        addBuffered(-s.unconsumed);
        s.unconsumed = 0;
        if (!codec.isNative()) {
            resumeReadingIfDrained();
        }
        if (streams.isEmpty() && phase == Phase.OPEN && (goAwaySent || goAwayReceived)) {
            close(ErrorCode.NO_ERROR, "drained");
        }
    }

    /**
     * Without credit (legacy format), the only way to bound what this end holds for slow sockets is to stop
     * reading the tunnel: every stream of the connection waits, which is what that format costs.
     */
    private void pauseReadingIfFull() {
        if (!readingPaused && bufferedBytes() > config.sessionWindow()) {
            readingPaused = true;
            transport.pauseReading();
        }
    }

    private void resumeReadingIfDrained() {
        if (readingPaused && bufferedBytes() <= config.sessionWindow() / 2) {
            readingPaused = false;
            transport.resumeReading();
        }
    }

    /** Bytes held for streams went up or down; {@link #bufferedBytes()} reads the sum from any thread. */
    void addBuffered(long delta) {
        long value = (long) BUFFERED.get(this) + delta;
        BUFFERED.setOpaque(this, value);
        if (value > (long) PEAK_BUFFERED.get(this)) {
            PEAK_BUFFERED.setOpaque(this, value);
        }
    }

    private void fail(MuxException e) {
        if (phase == Phase.CLOSED) {
            return;
        }
        LOG.warnf("tunnel %s: closing session: %s (%s)", config.tunnel(), e.getMessage(), e.code());
        close(e.code(), e.getMessage());
    }

    // ---- state for the owner, health and metrics ---------------------------------------------------------

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

    public long streamsOpened() {
        return streamsOpened;
    }

    /** Bytes held for streams: queued for credit plus received and not yet consumed. Safe from any thread. */
    public long bufferedBytes() {
        return (long) BUFFERED.getOpaque(this);
    }

    /** The highest {@link #bufferedBytes()} ever reached. Safe from any thread. */
    public long peakBufferedBytes() {
        return (long) PEAK_BUFFERED.getOpaque(this);
    }

    /** Latest PING round trip, 0 before the first answer. */
    public long rttNanos() {
        return roundTrip.nanos();
    }

    public ErrorCode closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }
}
