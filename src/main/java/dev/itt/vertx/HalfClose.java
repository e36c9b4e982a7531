package dev.itt.vertx;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * TCP and Unix-socket half-close for Vert.x 4, which has no public API for it: {@code NetSocket.end()} closes
 * both directions, and a peer's FIN closes the socket. With Netty's ALLOW_HALF_CLOSURE set before the first read,
 * the peer's FIN arrives as a {@link ChannelInputShutdownEvent} (neither endHandler nor closeHandler fires), and
 * our own FIN is {@link DuplexChannel#shutdownOutput()}, sent only after the last write has been flushed.
 */
public final class HalfClose {
    private HalfClose() {}

    /** Call in the connect handler, before any read. */
    public static void enable(NetSocket socket) {
        channel(socket).config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    /** True for the channel event that says the peer shut down its write side. */
    public static boolean isInputShutdown(Object event) {
        return event == ChannelInputShutdownEvent.INSTANCE;
    }

    /** Runs {@code onEof} when the peer shuts down its write side. Replaces the socket's event handler. */
    public static void onInputShutdown(NetSocket socket, Runnable onEof) {
        ((NetSocketInternal) socket).eventHandler(event -> {
            if (isInputShutdown(event)) {
                onEof.run();
            }
        });
    }

    /** Sends FIN once everything written before has gone out; {@code done} runs after (or if the socket is gone). */
    public static void shutdownOutput(NetSocket socket, Runnable done) {
        ChannelHandlerContext ctx = ((NetSocketInternal) socket).channelHandlerContext();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            Channel ch = ctx.channel();
            if (written.isSuccess() && ch instanceof DuplexChannel duplex && ch.isActive()) {
                duplex.shutdownOutput().addListener(shut -> done.run());
            } else {
                done.run();
            }
        });
    }

    private static Channel channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel();
    }
}
