package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The native format (docs/PROTOCOL.md): {@link FrameDecoder} in, {@link FrameEncoder} out. */
public final class NativeCodec implements Codec {
    private final FrameDecoder decoder = new FrameDecoder();

    @Override
    public void decode(ByteBuf in, FrameListener listener) throws MuxException {
        decoder.decode(in, listener);
    }

    @Override
    public void release() {
        decoder.release();
    }

    private static ByteBuf buffer(ByteBufAllocator alloc, int payload) {
        return alloc.ioBuffer(WireConstants.HEADER_LENGTH + payload);
    }

    @Override
    public ByteBuf dataHeader(ByteBufAllocator alloc, int streamId, int length) {
        ByteBuf out = buffer(alloc, 0);
        FrameEncoder.writeDataHeader(out, streamId, length);
        return out;
    }

    @Override
    public ByteBuf open(ByteBufAllocator alloc, int streamId, UserAddresses addresses) {
        ByteBuf out = buffer(alloc, addresses == null ? 0 : addresses.length());
        FrameEncoder.writeOpen(out, streamId, addresses);
        return out;
    }

    @Override
    public ByteBuf openOk(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = buffer(alloc, 0);
        FrameEncoder.writeOpenOk(out, streamId);
        return out;
    }

    @Override
    public ByteBuf openFailed(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason) {
        ByteBuf out = buffer(alloc, 4 + reason.length() * 3);
        FrameEncoder.writeOpenFailed(out, streamId, code, reason);
        return out;
    }

    /** RESET: the stream never started (PROTOCOL.md §5.2). */
    @Override
    public ByteBuf refuseOpen(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason) {
        return reset(alloc, streamId, code);
    }

    @Override
    public ByteBuf fin(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = buffer(alloc, 0);
        FrameEncoder.writeFin(out, streamId);
        return out;
    }

    @Override
    public ByteBuf reset(ByteBufAllocator alloc, int streamId, ErrorCode code) {
        ByteBuf out = buffer(alloc, 4);
        FrameEncoder.writeReset(out, streamId, code);
        return out;
    }

    @Override
    public ByteBuf windowUpdate(ByteBufAllocator alloc, int streamId, int increment) {
        ByteBuf out = buffer(alloc, 4);
        FrameEncoder.writeWindowUpdate(out, streamId, increment);
        return out;
    }

    @Override
    public ByteBuf ping(ByteBufAllocator alloc, boolean ack, long payload) {
        ByteBuf out = buffer(alloc, 8);
        FrameEncoder.writePing(out, ack, payload);
        return out;
    }

    @Override
    public ByteBuf goAway(ByteBufAllocator alloc, int lastStreamId, ErrorCode code, String reason) {
        ByteBuf out = buffer(alloc, 8 + reason.length() * 3);
        FrameEncoder.writeGoAway(out, lastStreamId, code, reason);
        return out;
    }

    @Override
    public ByteBuf hello(ByteBufAllocator alloc, String tunnel, byte[] nonce, boolean asksAddresses) {
        ByteBuf out = buffer(alloc, 6 + WireConstants.MAX_NAME_LENGTH + nonce.length);
        FrameEncoder.writeHello(out, WireConstants.VERSION, tunnel, nonce, asksAddresses);
        return out;
    }

    @Override
    public ByteBuf challenge(ByteBufAllocator alloc, byte[] nonce, byte[] proofs) {
        ByteBuf out = buffer(alloc, nonce.length + proofs.length);
        FrameEncoder.writeChallenge(out, nonce, proofs);
        return out;
    }

    @Override
    public ByteBuf auth(ByteBufAllocator alloc, byte[] mac) {
        ByteBuf out = buffer(alloc, mac.length);
        FrameEncoder.writeAuth(out, mac);
        return out;
    }

    @Override
    public ByteBuf welcome(ByteBufAllocator alloc) {
        ByteBuf out = buffer(alloc, 0);
        FrameEncoder.writeWelcome(out);
        return out;
    }
}
