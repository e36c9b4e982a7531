package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How one connection's bytes become frames and frames become bytes. The session talks only to this, so it cannot
 * tell the native format from the seed's legacy one (which has no handshake, no flow control, no keep-alive and
 * no half-close: {@link #isNative()} tells the session to leave those out). Each method that writes returns the
 * encoded frame, or null when the format has nothing to send for it. One codec per connection, one thread.
 */
public interface Codec {
    /** Decodes whatever frames {@code in} completes (ownership passes) into {@code listener} callbacks. */
    void decode(ByteBuf in, FrameListener listener) throws MuxException;

    /** Releases any partial frame held; call when the connection is gone. */
    void release();

    /** True for the native protocol: handshake, credit, keep-alive, GO_AWAY and half-close all apply. */
    boolean isNative();

    /** The bytes that go before a DATA payload of {@code length} bytes on {@code streamId}. */
    ByteBuf dataHeader(ByteBufAllocator alloc, int streamId, int length);

    /** OPEN; {@code peer} is the user's address as the acceptor saw it (the legacy format keys streams by it). */
    ByteBuf open(ByteBufAllocator alloc, int streamId, Object peer);

    ByteBuf openOk(ByteBufAllocator alloc, int streamId);

    ByteBuf openFailed(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason);

    ByteBuf fin(ByteBufAllocator alloc, int streamId);

    ByteBuf reset(ByteBufAllocator alloc, int streamId, ErrorCode code);

    ByteBuf windowUpdate(ByteBufAllocator alloc, int streamId, int increment);

    ByteBuf ping(ByteBufAllocator alloc, boolean ack, long payload);

    ByteBuf goAway(ByteBufAllocator alloc, int lastStreamId, ErrorCode code, String reason);

    ByteBuf hello(ByteBufAllocator alloc, String tunnel);

    ByteBuf challenge(ByteBufAllocator alloc, byte[] nonce);

    ByteBuf auth(ByteBufAllocator alloc, byte[] mac);

    ByteBuf welcome(ByteBufAllocator alloc);
}
