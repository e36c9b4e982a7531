package dev.itt.vertx;

import dev.itt.mux.MuxStream;
import dev.itt.mux.StreamHandler;
import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.jboss.logging.Logger;

/**
 * Pumps one local socket (a user's, or an upstream) to and from one stream, with back-pressure both ways: the
 * socket is paused while the stream's send queue is full, and credit goes back to the peer only once the socket
 * has taken the bytes. A FIN travels as a half-close in each direction; the socket is closed when both directions
 * are done, or at once on a reset.
 */
public final class StreamBridge implements StreamHandler {
    private static final Logger LOG = Logger.getLogger(StreamBridge.class);

    private final Connection socket;
    private final MuxStream stream;
    private final String tunnel;
    private final String peer;
    private int unreturned;
    private boolean inputDone;
    private boolean outputDone;
    private boolean closed;

    private StreamBridge(Connection socket, MuxStream stream, String tunnel, String peer) {
        this.socket = socket;
        this.stream = stream;
        this.tunnel = tunnel;
        this.peer = peer;
    }

    /** Joins {@code socket} (half-close already enabled) to {@code stream} and starts pumping both ways. */
    public static StreamBridge join(Connection socket, MuxStream stream, String tunnel, String peer) {
        StreamBridge bridge = new StreamBridge(socket, stream, tunnel, peer);
        stream.attachment(bridge);
        socket.onData(bridge::fromSocket);
        HalfClose.onInputShutdown(socket.socket(), bridge::socketEof);
        socket.onWritable(bridge::socketWritable);
        socket.onClose(bridge::socketClosed);
        socket.onError(e -> LOG.debugf("tunnel %s stream %d: socket error: %s", tunnel, stream.id(), e.toString()));
        stream.handler(bridge);
        return bridge;
    }

    private void fromSocket(ByteBuf data) {
        if (LOG.isTraceEnabled()) {
            LOG.tracef("tunnel %s stream %d %s -> tunnel, %d bytes%n%s", tunnel, stream.id(), peer,
                    data.readableBytes(), ByteBufUtil.prettyHexDump(data));
        }
        stream.write(data);
        if (stream.writeQueueFull()) {
            socket.pause();
        }
    }

    private void socketEof() {
        inputDone = true;
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
        closed = true;
        if (!(inputDone && outputDone)) {
            stream.reset(ErrorCode.CANCEL);
        }
        LOG.infof("tunnel %s stream %d %s closed: %d bytes to the tunnel, %d bytes from it", tunnel, stream.id(),
                peer, stream.bytesSent(), stream.bytesReceived());
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
            LOG.tracef("tunnel %s stream %d tunnel -> %s, %d bytes%n%s", tunnel, s.id(), peer, n,
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
        HalfClose.shutdownOutput(socket.socket(), () -> {
            outputDone = true;
            closeIfDone();
        });
    }

    @Override
    public void onReset(MuxStream s, ErrorCode code, String reason) {
        LOG.debugf("tunnel %s stream %d %s reset: %s %s", tunnel, s.id(), peer, code, reason);
        if (!closed) {
            socket.close();
        }
    }

    @Override
    public void onWritable(MuxStream s) {
        socket.resume();
    }

    @Override
    public void onOpened(MuxStream s) {
        LOG.debugf("tunnel %s stream %d %s: upstream connected", tunnel, s.id(), peer);
    }
}
