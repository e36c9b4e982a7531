package dev.itt.vertx;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;

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

    /**
     * From now on the peer's FIN closes the socket (no {@link ChannelInputShutdownEvent}): for a socket whose
     * output is already shut, where shutting the input as well could only fail.
     */
    public static void closeOnPeerFin(NetSocket socket) {
        channel(socket).config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    /** {@link #closeOnPeerFin(NetSocket)} for a stream's connection. */
    static void closeOnPeerFin(Connection connection) {
        connection.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    /** True for the channel event that says the peer shut down its write side. */
    public static boolean isInputShutdown(Object event) {
        return event == ChannelInputShutdownEvent.INSTANCE;
    }

    /** Sends FIN once everything written before has gone out; {@code done} runs after (or if the socket is gone). */
    public static void shutdownOutput(NetSocket socket, Runnable done) {
        shutdownOutput(((NetSocketInternal) socket).channelHandlerContext(), done);
    }

    /** {@link #shutdownOutput(NetSocket, Runnable)} for a stream's connection. */
    static void shutdownOutput(Connection connection, Runnable done) {
        shutdownOutput(connection.context(), done);
    }

    private static void shutdownOutput(ChannelHandlerContext ctx, Runnable done) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            Channel ch = ctx.channel();
            if (!written.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex)) {
                done.run();
            } else if (ch instanceof UnixChannel unix && unix.fd() instanceof Socket fd) {
                shutdownNative(duplex, fd);
                done.run();
            } else {
                duplex.shutdownOutput().addListener(shut -> done.run());
            }
        });
    }

    /**
     * The FIN of an epoll socket (TCP or Unix), straight from its descriptor. Netty's own shutdownOutput() makes
     * an exception with a stack trace each time, to fail writes that cannot be pending here (the last one has
     * completed): on a tunnel of short connections that was 5% of the server end's CPU. Netty reads the state
     * back from the same socket object, so the channel knows its output is shut.
     */
    static void shutdownNative(DuplexChannel channel, Socket socket) {
        try {
            socket.shutdown(false, true);
        } catch (IOException | NotYetConnectedException e) {
            // The peer is gone already (a reset it sent, not yet read: ENOTCONN); nothing more can go out.
            channel.close();
        }
    }

    private static Channel channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel();
    }
}
