package dev.itt.vertx;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Handler;

/**
 * A stream socket's Netty events, handed to one handler as {@link Connection#handleAll} describes, in place of
 * Vert.x's handler: the same callbacks Vert.x would make (a read, a channel event, writable again, closed), and an
 * error closes the socket as Vert.x's handler does. On the socket's event loop.
 */
final class StreamEvents extends ChannelInboundHandlerAdapter {
    static final String NAME = "itt-stream";

    private final Handler<Object> handler;

    StreamEvents(Handler<Object> handler) {
        this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        handler.handle(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        handler.handle(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            handler.handle(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handler.handle(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        handler.handle(cause);
        ctx.close();
    }
}
