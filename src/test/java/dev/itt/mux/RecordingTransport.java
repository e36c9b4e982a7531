package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameDecoder;
import dev.itt.mux.wire.FrameListener;
import dev.itt.mux.wire.MuxException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transport that decodes every frame a session writes (with the real {@link FrameDecoder}) and whose room the
 * test controls, as a socket's send buffer that the network empties only when told. Written bytes count as
 * pending until {@link #drain()}; the transport is full once they reach its high-water mark, or while it is
 * {@link #block() blocked}. Used on the test's thread only.
 */
final class RecordingTransport implements Transport {
    private final FrameDecoder decoder = new FrameDecoder();
    private final Listener listener = new Listener();
    private final List<Frame> frames = new ArrayList<>();
    private final Map<Integer, ByteArrayOutputStream> payloads = new HashMap<>();
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
        ByteArrayOutputStream out = payloads.get(streamId);
        return out == null ? new byte[0] : out.toByteArray();
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
            decoder.decode(buf, listener);
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
    public void close() {
        closed = true;
    }

    /** Frames as values; DATA payloads are copied out, and also kept per stream. */
    private final class Listener implements FrameListener {
        @Override
        public void onData(int streamId, ByteBuf payload) {
            frames.add(new Frame.Data(streamId, Unpooled.copiedBuffer(payload)));
            byte[] bytes = new byte[payload.readableBytes()];
            payload.readBytes(bytes);
            payloads.computeIfAbsent(streamId, id -> new ByteArrayOutputStream()).writeBytes(bytes);
            payload.release();
        }

        @Override
        public void onWindowUpdate(int streamId, int increment) {
            frames.add(new Frame.WindowUpdate(streamId, increment));
        }

        @Override
        public void onOpen(int streamId) {
            frames.add(new Frame.Open(streamId));
        }

        @Override
        public void onOpenOk(int streamId) {
            frames.add(new Frame.OpenOk(streamId));
        }

        @Override
        public void onOpenFailed(int streamId, ErrorCode code, String reason) {
            frames.add(new Frame.OpenFailed(streamId, code, reason));
        }

        @Override
        public void onFin(int streamId) {
            frames.add(new Frame.Fin(streamId));
        }

        @Override
        public void onReset(int streamId, ErrorCode code) {
            frames.add(new Frame.Reset(streamId, code));
        }

        @Override
        public void onPing(boolean ack, long payload) {
            frames.add(new Frame.Ping(ack, payload));
        }

        @Override
        public void onGoAway(int lastStreamId, ErrorCode code, String reason) {
            frames.add(new Frame.GoAway(lastStreamId, code, reason));
        }

        @Override
        public void onHello(int version, String tunnel, byte[] nonce) {
            frames.add(new Frame.Hello(version, tunnel, nonce));
        }

        @Override
        public void onChallenge(byte[] nonce, byte[] proofs) {
            frames.add(new Frame.Challenge(nonce, proofs));
        }

        @Override
        public void onAuth(byte[] mac) {
            frames.add(new Frame.Auth(mac));
        }

        @Override
        public void onWelcome() {
            frames.add(new Frame.Welcome());
        }
    }
}
