package dev.itt.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * How many bytes of a tunnel connection the socket has taken, counted where the channel's own queue starts: the
 * first handler from the socket, so under TLS it counts what TLS made of the frames. Bytes flushed to the queue
 * minus those still in it (a partly written buffer's reader index has moved on) is what the socket took; Netty
 * offers no such counter. One per tunnel connection, on its event loop.
 */
final class SentBytes extends ChannelOutboundHandlerAdapter {
    private long unflushed;
    private long flushed;
    private long left;
    private final ChannelOutboundBuffer.MessageProcessor addLeft = msg -> {
        if (msg instanceof ByteBuf b) {
            left += b.readableBytes();
        }
        return true;
    };

    /** Counts from now on what {@code channel} writes. */
    static SentBytes install(Channel channel) {
        SentBytes counter = new SentBytes();
        channel.pipeline().addFirst("itt-sent-bytes", counter);
        return counter;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            unflushed += b.readableBytes();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushed += unflushed;
        unflushed = 0;
        ctx.flush();
    }

    /** Bytes the socket has taken so far; walks the queue, so for a once-a-second check, not per frame. */
    long sent(Channel channel) {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        left = 0;
        if (out != null) {
            try {
                out.forEachFlushedMessage(addLeft);
            } catch (Exception e) {
                throw new IllegalStateException(e); // the processor throws nothing
            }
        }
        return flushed - left;
    }
}
