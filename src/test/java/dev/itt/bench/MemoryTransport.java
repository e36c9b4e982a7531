package dev.itt.bench;

import dev.itt.mux.Session;
import dev.itt.mux.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;

/**
 * One end of an in-memory connection for the benchmarks: while it has a peer, what its session writes waits here
 * until {@link #deliver()} hands it to the peer session (so deliveries never re-enter a session); once
 * {@link #discardWrites()} is called, the benchmark plays the peer itself and whatever the session writes is
 * counted and released at once, as a socket that always keeps up would take it. The mux tests' pipe (in their own
 * package) delivers through a task loop for scenarios with a slow peer; a benchmark needs neither.
 */
final class MemoryTransport implements Transport {
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private Session peer;
    private long bytesWritten;

    /** The session on the other end, which receives what this end writes. */
    void peer(Session session) {
        this.peer = session;
    }

    /** From now on nothing reaches the peer: writes are counted and dropped. */
    void discardWrites() {
        peer = null;
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
    }

    /** Hands what was queued to the peer; false if nothing was. */
    boolean deliver() {
        if (queued.isEmpty() || peer == null) {
            return false;
        }
        CompositeByteBuf all = alloc().compositeBuffer(queued.size() + 1);
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            all.addComponent(true, b);
        }
        peer.onRead(all);
        return true;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void write(ByteBuf buf) {
        bytesWritten += buf.readableBytes();
        if (peer == null) {
            buf.release();
        } else {
            queued.add(buf);
        }
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public long pendingBytes() {
        return 0;
    }

    @Override
    public long sentMark() {
        return bytesWritten;
    }

    @Override
    public void close() {
        discardWrites();
    }

    @Override
    public void abort() {
        discardWrites();
    }
}
