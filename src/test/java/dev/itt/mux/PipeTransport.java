package dev.itt.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;

/**
 * One direction-pair of an in-memory connection between two sessions (yamux's pipeConn idea). Written bytes
 * are delivered to the peer on the loop, in order; a peer that stops reading leaves them queued, so writability
 * and the queued-bytes limit behave as on a socket.
 */
final class PipeTransport implements Transport {
    static final int HIGH_WATER = 64 * 1024;
    static final int LOW_WATER = 32 * 1024;

    private final TestLoop loop;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private PipeTransport peer;
    private Session receiver;
    private long pending;
    private boolean scheduled;
    private boolean closed;
    private boolean peerReads = true;
    long bytesWritten;
    private long bytesDelivered;
    /** Closed by {@link #abort()}: what was queued was dropped, not delivered. */
    boolean aborted;

    PipeTransport(TestLoop loop) {
        this.loop = loop;
    }

    static PipeTransport[] pair(TestLoop loop) {
        PipeTransport a = new PipeTransport(loop);
        PipeTransport b = new PipeTransport(loop);
        a.peer = b;
        b.peer = a;
        return new PipeTransport[] {a, b};
    }

    /** The session that owns this end; it receives what the other end writes. */
    void owner(Session session) {
        this.receiver = session;
    }

    /** Stops or resumes delivering what this end writes (the peer "stops reading its socket"). */
    void peerReads(boolean reads) {
        peerReads = reads;
        if (reads) {
            flush();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void write(ByteBuf buf) {
        if (closed) {
            buf.release();
            return;
        }
        pending += buf.readableBytes();
        bytesWritten += buf.readableBytes();
        queued.add(buf);
    }

    @Override
    public void flush() {
        if (!scheduled && !queued.isEmpty()) {
            scheduled = true;
            loop.execute(this::deliver);
        }
    }

    private void deliver() {
        scheduled = false;
        if (!peerReads || queued.isEmpty() || peer.closed) {
            return;
        }
        boolean wasFull = !isWritable();
        CompositeByteBuf all = alloc().compositeBuffer(queued.size() + 1);
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            all.addComponent(true, b);
        }
        bytesDelivered += pending;
        pending = 0;
        peer.receiver.onRead(all);
        if (wasFull && receiver != null && !closed) {
            receiver.onTransportWritable();
        }
    }

    @Override
    public boolean isWritable() {
        return pending < HIGH_WATER;
    }

    @Override
    public long pendingBytes() {
        return pending;
    }

    @Override
    public long sentMark() {
        return bytesDelivered;
    }

    @Override
    public void abort() {
        aborted = true;
        shut(false);
    }

    @Override
    public void close() {
        shut(peerReads);
    }

    private void shut(boolean deliverFirst) {
        if (closed) {
            return;
        }
        if (deliverFirst) {
            deliver();
        }
        closed = true;
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
        loop.execute(() -> {
            if (!peer.closed) {
                peer.closed = true;
                peer.receiver.onTransportClosed();
            }
        });
    }
}
