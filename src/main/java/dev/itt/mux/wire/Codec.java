package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How one connection's bytes become frames and frames become bytes. The session talks only to this, so it cannot
 * tell the native format from the seed's legacy one; what else differs between them (handshake, flow control,
 * keep-alive, half-close) comes beside the codec in the session's {@code Dialect}. Each method that writes returns
 * the encoded frame, or null when the format has nothing to send for it. One codec per connection, one thread.
 */
public interface Codec {
    /** Decodes whatever frames {@code in} completes (ownership passes) into {@code listener} callbacks. */
    void decode(ByteBuf in, FrameListener listener) throws MuxException;

    /** Releases any partial frame held; call when the connection is gone. */
    void release();

    /** The bytes that go before a DATA payload of {@code length} bytes on {@code streamId}. */
    ByteBuf dataHeader(ByteBufAllocator alloc, int streamId, int length);

    /** {@code addresses}: the user's, for an agent that asked (PROTOCOL.md §5.2), else null. */
    ByteBuf open(ByteBufAllocator alloc, int streamId, UserAddresses addresses);

    ByteBuf openOk(ByteBufAllocator alloc, int streamId);

    ByteBuf openFailed(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason);

    /** The answer to an OPEN this end will not take at all, without dialing (PROTOCOL.md §5.2, step 5). */
    ByteBuf refuseOpen(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason);

    ByteBuf fin(ByteBufAllocator alloc, int streamId);

    ByteBuf reset(ByteBufAllocator alloc, int streamId, ErrorCode code);

    ByteBuf windowUpdate(ByteBufAllocator alloc, int streamId, int increment);

    ByteBuf ping(ByteBufAllocator alloc, boolean ack, long payload);

    ByteBuf goAway(ByteBufAllocator alloc, int lastStreamId, ErrorCode code, String reason);

    /** {@code asksAddresses}: the agent wants the user's addresses in every OPEN. */
    ByteBuf hello(ByteBufAllocator alloc, String tunnel, byte[] nonce, boolean asksAddresses);

    ByteBuf challenge(ByteBufAllocator alloc, byte[] nonce, byte[] proofs);

    ByteBuf auth(ByteBufAllocator alloc, byte[] mac);

    ByteBuf welcome(ByteBufAllocator alloc);
}
