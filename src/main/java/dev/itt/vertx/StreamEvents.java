package dev.itt.vertx;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Handler;
import io.vertx.core.impl.ContextInternal;

/**
 * A stream socket's Netty events, handed to one handler as {@link Connection#handleAll} describes, in place of
 * Vert.x's handler: the same callbacks Vert.x would make (a read, a channel event, writable again, closed), and an
 * error closes the socket as Vert.x's handler does. On the socket's event loop.
 *
 * <p>Each callback runs as a dispatch on the socket's Vert.x context, as Vert.x's handler ran them: what the handler
 * starts from there (a redial timer once the stream's end closed its session, a server end's stop finishing)
 * belongs to that context. Called bare from Netty, Vert.x sees no context on the thread and makes a new one, on
 * the next event loop of its pool: the end's work then runs on two threads.
 */
final class StreamEvents extends ChannelInboundHandlerAdapter {
    static final String NAME = "itt-stream";

    private final ContextInternal context;
    private final Handler<Object> handler;

    StreamEvents(ContextInternal context, Handler<Object> handler) {
        this.context = context;
        this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        context.dispatch(msg, handler);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        context.dispatch(evt, handler);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            context.dispatch(null, handler);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        context.dispatch(null, handler);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        context.dispatch(cause, handler);
        ctx.close();
    }
}
