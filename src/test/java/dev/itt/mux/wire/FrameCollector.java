package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * The one test {@link FrameListener}: every frame a decoder emits, as a {@link Frame} value. DATA payloads are
 * copied out and the decoder's buffer released, so the recorded frames stay valid after the decoder moves on.
 * {@link #counting()} makes one that records nothing, for benchmarks: it only counts frames and DATA bytes, and
 * still releases every payload, so what it costs is a few field updates per frame.
 */
public final class FrameCollector implements FrameListener {
    /** What was decoded, in order; stays empty when counting only. */
    public final List<Frame> frames = new ArrayList<>();
    private final boolean recording;
    private long frameCount;
    private long dataBytes;

    /** Records every frame. */
    public FrameCollector() {
        this(true);
    }

    private FrameCollector(boolean recording) {
        this.recording = recording;
    }

    /** Records nothing: counts frames and DATA payload bytes only. */
    public static FrameCollector counting() {
        return new FrameCollector(false);
    }

    /** Frames seen, of every type, recorded or not. */
    public long frameCount() {
        return frameCount;
    }

    /** DATA payload bytes seen. */
    public long dataBytes() {
        return dataBytes;
    }

    @Override
    public void onData(int streamId, ByteBuf payload) {
        frameCount++;
        dataBytes += payload.readableBytes();
        if (recording) {
            frames.add(new Frame.Data(streamId, Unpooled.copiedBuffer(payload)));
        }
        payload.release();
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.WindowUpdate(streamId, increment));
        }
    }

    @Override
    public void onOpen(int streamId, UserAddresses addresses) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Open(streamId, addresses));
        }
    }

    @Override
    public void onOpenOk(int streamId) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.OpenOk(streamId));
        }
    }

    @Override
    public void onOpenFailed(int streamId, ErrorCode code, String reason) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.OpenFailed(streamId, code, reason));
        }
    }

    @Override
    public void onFin(int streamId) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Fin(streamId));
        }
    }

    @Override
    public void onReset(int streamId, ErrorCode code) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Reset(streamId, code));
        }
    }

    @Override
    public void onPing(boolean ack, long payload) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Ping(ack, payload));
        }
    }

    @Override
    public void onGoAway(int lastStreamId, ErrorCode code, String reason) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.GoAway(lastStreamId, code, reason));
        }
    }

    @Override
    public void onHello(int version, String tunnel, byte[] nonce, boolean asksAddresses) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Hello(version, tunnel, nonce, asksAddresses));
        }
    }

    @Override
    public void onChallenge(byte[] nonce, byte[] proofs) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Challenge(nonce, proofs));
        }
    }

    @Override
    public void onAuth(byte[] mac) {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Auth(mac));
        }
    }

    @Override
    public void onWelcome() {
        frameCount++;
        if (recording) {
            frames.add(new Frame.Welcome());
        }
    }
}
