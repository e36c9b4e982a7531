package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/** Records every decoded frame as a value; DATA payloads are copied out and the decoder's buffer released. */
final class FrameCollector implements FrameListener {
    final List<Frame> frames = new ArrayList<>();

    @Override
    public void onData(int streamId, ByteBuf payload) {
        frames.add(new Frame.Data(streamId, Unpooled.copiedBuffer(payload)));
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
    public void onHello(int version, String tunnel) {
        frames.add(new Frame.Hello(version, tunnel));
    }

    @Override
    public void onChallenge(byte[] nonce) {
        frames.add(new Frame.Challenge(nonce));
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
