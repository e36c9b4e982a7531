package dev.itt.vertx;

import dev.itt.mux.MuxStream;
import dev.itt.mux.StreamHandler;
import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import org.jboss.logging.Logger;

/**
 * Pumps one local socket (a user's, or an upstream) to and from one stream, with back-pressure both ways: the
 * socket is paused while the stream's send queue is full, and credit goes back to the peer only once the socket
 * has taken the bytes. A FIN travels as a half-close in each direction; the socket is closed when both directions
 * are done, or at once on a reset. An upstream's bridge logs its close at INFO; a user's tells a {@link UserClosed}
 * (the server end's access log) and logs its own line at DEBUG only.
 */
public final class StreamBridge implements StreamHandler, Handler<Object> {
    private static final Logger LOG = Logger.getLogger(StreamBridge.class);

    private final Connection socket;
    private final MuxStream stream;
    private final String tunnel;
    /** "upstream ADDRESS" (shared by a tunnel's streams), or null for a user: the address is looked up to log. */
    private final String upstream;
    /** For a user: hears how the connection ended; null for an upstream. */
    private final UserClosed userClosed;
    private int unreturned;
    private boolean inputDone;
    private boolean outputDone;
    private boolean closed;
    private boolean failed;
    /** The peer's FIN came while the socket's own direction was still open. */
    private boolean peerFinFirst;

    // A tunnel may hold tens of thousands of idle streams: the bridge keeps no strings of its own and hands the
    // socket as few handler objects as it can.
    private StreamBridge(Connection socket, MuxStream stream, String tunnel, String upstream,
            UserClosed userClosed) {
        this.socket = socket;
        this.stream = stream;
        this.tunnel = tunnel;
        this.upstream = upstream;
        this.userClosed = userClosed;
    }

    /**
     * Joins a user's {@code socket} (half-close already enabled) to {@code stream} and starts pumping both ways;
     * {@code closed} hears how the connection ended.
     */
    public static StreamBridge joinUser(Connection socket, MuxStream stream, String tunnel, UserClosed closed) {
        return join(new StreamBridge(socket, stream, tunnel, null, closed));
    }

    /**
     * Joins an upstream {@code socket} (half-close already enabled) to {@code stream}.
     *
     * @param upstream how logs name the upstream, e.g. "upstream 127.0.0.1:80" (one string for all streams)
     */
    public static StreamBridge joinUpstream(Connection socket, MuxStream stream, String tunnel, String upstream) {
        return join(new StreamBridge(socket, stream, tunnel, upstream, null));
    }

    private static StreamBridge join(StreamBridge bridge) {
        bridge.socket.shareReadPolicy();
        bridge.socket.handleAll(bridge);
        bridge.stream.handler(bridge);
        return bridge;
    }

    private String peer() {
        return upstream != null ? upstream : "user " + Connection.describe(socket.remoteAddress());
    }

    /** Whatever the socket reports: see {@link Connection#handleAll} for how each callback is told apart. */
    @Override
    public void handle(Object msg) {
        if (msg instanceof ByteBuf data) {
            fromSocket(data);
        } else if (msg == null) {
            if (socket.isOpen()) {
                socketWritable();
            } else {
                socketClosed();
            }
        } else if (HalfClose.isInputShutdown(msg)) {
            socketEof();
        } else if (msg instanceof Throwable e) {
            socketError(e);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void socketError(Throwable e) {
        failed = true;
        if (LOG.isDebugEnabled()) {
            LOG.debugf("tunnel %s stream %d: socket error: %s", tunnel, stream.id(), e.toString());
        }
    }

    private void fromSocket(ByteBuf data) {
        if (LOG.isTraceEnabled()) {
            LOG.tracef("tunnel %s stream %d %s -> tunnel, %d bytes%n%s", tunnel, stream.id(), peer(),
                    data.readableBytes(), ByteBufUtil.prettyHexDump(data));
        }
        stream.write(data);
        if (stream.writeQueueFull()) {
            socket.pause();
        }
    }

    private void socketEof() {
        inputDone = true;
        // Nothing more can arrive. Paused, Netty does not arm the socket for reads again after the read that saw
        // the EOF, only to disarm it on the next turn: two epoll_ctl calls less per connection.
        socket.pause();
        stream.end();
        closeIfDone();
    }

    private void socketWritable() {
        if (unreturned > 0) {
            int n = unreturned;
            unreturned = 0;
            stream.consumed(n);
        }
    }

    private void socketClosed() {
        if (closed) {
            return;
        }
        closed = true;
        boolean clean = inputDone && outputDone;
        if (!clean) {
            if (outputDone && !failed) {
                // Netty closed the socket on the peer's FIN (see onFin): its direction ended cleanly as well.
                inputDone = true;
                clean = true;
                stream.end();
            } else {
                stream.reset(ErrorCode.CANCEL);
            }
        }
        if (userClosed != null) {
            userClosed.closed(socket, stream, !clean ? UserClosed.How.SOCKET_GONE : peerFinFirst
                    ? UserClosed.How.UPSTREAM_FIN_FIRST : UserClosed.How.USER_FIN_FIRST,
                    clean ? ErrorCode.NO_ERROR : ErrorCode.CANCEL, null);
        }
        if (LOG.isEnabled(closeLevel())) {
            LOG.logf(closeLevel(), "tunnel %s stream %d %s closed: %d bytes to the tunnel, %d bytes from it", tunnel,
                    stream.id(), peer(), stream.bytesSent(), stream.bytesReceived());
        }
    }

    /** The access log has the user's line: the bridge's own is for debugging. */
    private Logger.Level closeLevel() {
        return userClosed != null ? Logger.Level.DEBUG : Logger.Level.INFO;
    }

    private void closeIfDone() {
        if (inputDone && outputDone && !closed) {
            socket.close();
        }
    }

    @Override
    public void onData(MuxStream s, ByteBuf data) {
        int n = data.readableBytes();
        if (LOG.isTraceEnabled()) {
            LOG.tracef("tunnel %s stream %d tunnel -> %s, %d bytes%n%s", tunnel, s.id(), peer(), n,
                    ByteBufUtil.prettyHexDump(data));
        }
        if (closed) {
            data.release();
            return;
        }
        socket.write(data);
        socket.flush();
        if (socket.isWritable()) {
            s.consumed(n + unreturned);
            unreturned = 0;
        } else {
            unreturned += n;
        }
    }

    @Override
    public void onFin(MuxStream s) {
        if (closed) {
            return;
        }
        peerFinFirst = !inputDone;
        if (inputDone || socket.isSsl()) {
            // Both directions are done: close sends the FIN after what is queued, as a half-close would, with
            // one system call and one flush listener less on each short connection. A TLS user (listen-tls) gets
            // no half-close: a bare FIN without close_notify would look like a truncation attack to its TLS stack.
            outputDone = true;
            socket.close();
            return;
        }
        HalfClose.shutdownOutput(socket, () -> {
            outputDone = true;
            if (!inputDone) {
                // Our direction is done, so the peer's FIN ends the connection: Netty may close the socket on it.
                // Shutting the input instead is a system call for nothing, and once both FINs have crossed it fails
                // with ENOTCONN, for which Netty builds an exception with a stack trace each time.
                HalfClose.closeOnPeerFin(socket);
            }
            closeIfDone();
        });
    }

    @Override
    public void onReset(MuxStream s, ErrorCode code, String reason) {
        if (closed) {
            // our own reset, for a socket that closed first: its line is out already
            if (LOG.isDebugEnabled()) {
                LOG.debugf("tunnel %s stream %d %s reset: %s %s", tunnel, s.id(), peer(), code, reason);
            }
            return;
        }
        // The peer's reset, its OPEN_FAILED or the session's end: the one line for this socket says why, so that
        // a user turned away is logged with the agent's reason (refused, timeout, unknown host...), not only "0 bytes".
        closed = true;
        socket.close();
        if (userClosed != null) {
            userClosed.closed(socket, s, code != ErrorCode.NO_ERROR ? UserClosed.How.RESET
                    : inputDone ? UserClosed.How.USER_FIN_FIRST : UserClosed.How.UPSTREAM_FIN_FIRST, code, reason);
        }
        if (LOG.isEnabled(closeLevel())) {
            LOG.logf(closeLevel(), "tunnel %s stream %d %s closed: %d bytes to the tunnel, %d bytes from it, %s: %s %s",
                    tunnel,
                    s.id(), peer(), s.bytesSent(), s.bytesReceived(),
                    upstream == null && !s.isEstablished() ? "the agent did not open the upstream" : "reset", code,
                    reason);
        }
    }

    @Override
    public void onWritable(MuxStream s) {
        if (!inputDone) {
            socket.resume();
        }
    }

    @Override
    public void onOpened(MuxStream s) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("tunnel %s stream %d %s: upstream connected", tunnel, s.id(), peer());
        }
    }
}
