package dev.itt.vertx;

import dev.itt.mux.Session;
import dev.itt.mux.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** A session's tunnel connection: frames out through a {@link Connection}, and its events into the session. */
public final class SocketTransport implements Transport {
    private final Connection connection;

    public SocketTransport(Connection connection) {
        this.connection = connection;
    }

    /** Routes the connection's reads, drains and close into {@code session}, then starts it. */
    public void bind(Session session) {
        connection.onData(session::onRead);
        connection.onWritable(v -> session.onTransportWritable());
        connection.onClose(v -> session.onTransportClosed());
        connection.onError(e -> { /* the close that follows is what the session reacts to */ });
        session.start(System.nanoTime());
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public ByteBufAllocator alloc() {
        return connection.alloc();
    }

    @Override
    public void write(ByteBuf buf) {
        connection.write(buf);
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public boolean isWritable() {
        return connection.isWritable();
    }

    @Override
    public long pendingBytes() {
        return connection.pendingBytes();
    }

    @Override
    public void pauseReading() {
        connection.pause();
    }

    @Override
    public void resumeReading() {
        connection.resume();
    }

    @Override
    public void close() {
        connection.close();
    }
}
