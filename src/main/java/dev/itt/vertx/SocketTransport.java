package dev.itt.vertx;

import dev.itt.mux.ReadSwitch;
import dev.itt.mux.Session;
import dev.itt.mux.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A session's tunnel connection: frames out through a {@link Connection}, its events into the session, and reads
 * stopped and restarted for a flow control that works by pausing them.
 */
public final class SocketTransport implements Transport, ReadSwitch {
    private final Connection connection;
    private final SentBytes sent;
    /** How long a closing tunnel connection may take to deliver its last frames, the GO_AWAY among them. */
    static final long CLOSE_GRACE_MILLIS = 5_000;

    /**
     * Write queue marks of a tunnel connection. Netty's default (64 KiB high) is one DATA frame: the queue would
     * turn full after every read from an upstream, and each stream would pause and resume its socket (two epoll_ctl
     * calls and an extra wake-up per 64 KiB). Room for several frames lets a turn of the event loop read and send
     * a batch; the bound per session stays small.
     */
    static final int WRITE_QUEUE_LOW = 512 * 1024;
    static final int WRITE_QUEUE_HIGH = 1024 * 1024;

    /** A tunnel connection carries many streams' frames: reads of up to several frames cost fewer system calls. */
    static final int MAX_READ = 256 * 1024;

    public SocketTransport(Connection connection) {
        this.connection = connection;
        connection.writeQueueMarks(WRITE_QUEUE_LOW, WRITE_QUEUE_HIGH);
        connection.readUpTo(MAX_READ);
        this.sent = SentBytes.install(connection.channel());
    }

    /** Routes the connection's reads, drains and close into {@code session}, then starts it. */
    public void bind(Session session) {
        connection.onData(session::onRead);
        connection.onWritable(v -> session.onTransportWritable());
        connection.onClose(v -> session.onTransportClosed());
        connection.onError(e -> { /* the close that follows is what the session reacts to */ });
        session.start(System.nanoTime());
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
    public long sentMark() {
        return sent.sent(connection.channel());
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
        connection.close(CLOSE_GRACE_MILLIS);
    }

    @Override
    public void abort() {
        connection.abort();
    }
}
