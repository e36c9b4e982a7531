package dev.itt.vertx;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the server end's limits need from a user's socket besides its bytes: to hear when it closes, however it
 * closes (the socket's own close handler belongs to its {@link StreamBridge}), and to close it when no byte has
 * moved either way for a while. Both run on the socket's event loop.
 */
public final class SocketWatch {
    /** Set on a channel that {@link #closeWhenIdle} closed; an attribute outlives the pipeline's handlers. */
    private static final AttributeKey<Boolean> IDLE_CLOSED = AttributeKey.valueOf(SocketWatch.class, "idleClosed");

    private SocketWatch() {}

    /** Runs {@code onClose} once, on the socket's event loop, when the socket has closed. */
    public static void onClose(NetSocket socket, Runnable onClose) {
        channel(socket).closeFuture().addListener(f -> onClose.run());
    }

    /**
     * Closes the socket once nothing has been read from it or written to it for {@code idle}, after running
     * {@code onIdle}. Netty's {@link IdleStateHandler} keeps the time: first in the pipeline, it sees every read and
     * every completed write, whoever makes them.
     */
    public static void closeWhenIdle(NetSocket socket, Duration idle, Runnable onIdle) {
        channel(socket).pipeline().addFirst(new IdleClose(idle.toNanos(), onIdle));
    }

    /** Whether {@link #closeWhenIdle} closed this socket. */
    public static boolean closedIdle(Connection socket) {
        return socket.channel().hasAttr(IDLE_CLOSED);
    }

    private static Channel channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel();
    }

    private static final class IdleClose extends IdleStateHandler {
        private final Runnable onIdle;

        IdleClose(long idleNanos, Runnable onIdle) {
            super(false, 0, 0, idleNanos, TimeUnit.NANOSECONDS);
            this.onIdle = onIdle;
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
            if (event.state() == IdleState.ALL_IDLE && ctx.channel().isActive()) {
                ctx.channel().attr(IDLE_CLOSED).set(Boolean.TRUE);
                onIdle.run();
                ctx.close();
            }
        }
    }
}
