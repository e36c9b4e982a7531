package dev.itt.mux;

import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.FrameDecoder;
import dev.itt.mux.wire.MuxException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * A transport that decodes every frame a session writes (with the real {@link FrameDecoder}) and whose room the
 * test controls, as a socket's send buffer that the network empties only when told. Written bytes count as
 * pending until {@link #drain()}; the transport is full once they reach its high-water mark, or while it is
 * {@link #block() blocked}. Used on the test's thread only.
 */
final class RecordingTransport implements Transport {
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameCollector collector = new FrameCollector();
    private final List<Frame> frames = collector.frames;
    private Session session;
    private long highWater = Long.MAX_VALUE;
    private long pending;
    private boolean blocked;
    private int taken;
    boolean closed;

    /** The session told when room comes back. */
    void owner(Session session) {
        this.session = session;
    }

    /** Full once this many bytes are pending. */
    void highWater(long bytes) {
        this.highWater = bytes;
    }

    /** Full until the next {@link #drain()}, whatever is pending. */
    void block() {
        blocked = true;
    }

    /** The network took everything pending; a session held back by a full transport hears it has room. */
    void drain() {
        boolean wasFull = !isWritable();
        pending = 0;
        blocked = false;
        if (wasFull) {
            session.onTransportWritable();
        }
    }

    /** The frames written since the last call (all of them, the first time). */
    List<Frame> newFrames() {
        List<Frame> since = List.copyOf(frames.subList(taken, frames.size()));
        taken = frames.size();
        return since;
    }

    /** Every DATA payload byte written for {@code streamId}, in order. */
    byte[] payload(int streamId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            if (f instanceof Frame.Data d && d.streamId() == streamId) {
                out.writeBytes(ByteBufUtil.getBytes(d.payload()));
            }
        }
        return out.toByteArray();
    }

    int dataBytes(int streamId) {
        return payload(streamId).length;
    }

    @Override
    public ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void write(ByteBuf buf) {
        pending += buf.readableBytes();
        try {
            decoder.decode(buf, collector);
        } catch (MuxException e) {
            throw new AssertionError("the session wrote a frame its own decoder refuses", e);
        }
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
        return !blocked && pending < highWater;
    }

    @Override
    public long pendingBytes() {
        return pending;
    }

    @Override
    public long sentMark() {
        return 0; // pendingBytes() drops to 0 as the test lets bytes out
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void abort() {
        close();
    }
}
