package dev.itt.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A Vert.x socket as the data path needs it: bytes in as Netty's pooled {@link ByteBuf}s (Vert.x's own data
 * handler copies every read into a heap buffer), bytes out without a flush per write (one flush per event-loop
 * turn), and read pause/resume on the channel itself. A tunnel connection keeps Vert.x's socket; a stream's socket
 * lets go of it once {@link #handleAll} has its callbacks come from Netty. Used only on the socket's event loop.
 */
public final class Connection implements Runnable {
    /**
     * One read-size policy for every user and upstream socket. Netty makes an allocator object per channel by
     * default; the sizing state lives in each channel's handle anyway, so sharing saves 40 bytes per idle stream.
     */
    private static final io.netty.channel.AdaptiveRecvByteBufAllocator SHARED_READS =
            new io.netty.channel.AdaptiveRecvByteBufAllocator();

    private static final Logger LOG = Logger.getLogger(Connection.class);
    /** Vert.x's socket; null once {@link #handleAll} has taken the channel from it. */
    private NetSocketInternal socket;
    /** The context writes and reads go through: Vert.x's handler's, then {@link StreamEvents}'. */
    private ChannelHandlerContext ctx;
    private boolean flushScheduled;
    // No field for the channel (ctx.channel() is a field read in Netty): 8 bytes less on every idle socket.

    public Connection(NetSocket socket) {
        this.socket = (NetSocketInternal) socket;
        this.ctx = this.socket.channelHandlerContext();
        // Vert.x keeps the handler that announced this socket (with the dial's promise and what listened to it)
        // for the socket's whole life; it has run by now.
        if (ctx.handler() instanceof VertxHandler<?> announced) {
            announced.addHandler(null);
        }
        ConnectTimeouts.forget(ctx.channel());
    }

    /**
     * Sets how many bytes may wait in this socket's write queue before it reports itself full ({@code high}) and
     * how far the queue must drain before it reports writable again ({@code low}).
     */
    public void writeQueueMarks(int low, int high) {
        ctx.channel().config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(low, high));
    }

    /** Uses the read-size policy shared by all stream sockets; call before the first read. */
    public void shareReadPolicy() {
        ctx.channel().config().setRecvByteBufAllocator(SHARED_READS);
    }

    /** Lets one read take up to {@code max} bytes when that much is waiting (Netty's default stops at 64 KiB). */
    public void readUpTo(int max) {
        ctx.channel().config().setRecvByteBufAllocator(new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 16 * 1024, max));
    }

    /** Vert.x's socket, for the tunnel connection; null for a stream's socket once {@link #handleAll} ran. */
    public NetSocket socket() {
        return socket;
    }

    /** Whether the socket speaks TLS (a {@code listen-tls} user). */
    public boolean isSsl() {
        return ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
    }

    /**
     * Every callback of the socket into one handler object, straight from Netty, as an idle stream's socket should
     * cost as little as it can: what arrives says which callback it is. A {@link ByteBuf} is a read (the handler
     * owns it); a {@link Throwable} an error (the socket then closes); {@code null} is the write queue draining
     * while the socket is open, or the socket closing once it is not (see {@link #isOpen()}); anything else is a
     * channel event such as the peer's FIN ({@link HalfClose#isInputShutdown}).
     *
     * <p>Vert.x's handler leaves the pipeline, and with it Vert.x's socket object and all it holds (its inbound
     * queue, close promises, handler slots: about 450 bytes for every idle stream); from here on this connection
     * reaches the channel only, and the callbacks still run on the socket's Vert.x context (see
     * {@link StreamEvents}). Call before the socket's first read, on its event loop (called elsewhere, or for a
     * socket whose context is another loop's, Vert.x's handler and socket stay).
     */
    @SuppressWarnings("unchecked")
    public void handleAll(io.vertx.core.Handler<Object> handler) {
        ContextInternal context = ((ConnectionBase) socket).getContext();
        if (!ctx.executor().inEventLoop() || context.nettyEventLoop() != ctx.executor()) {
            // Netty would call back on the socket's own loop, not this (the stream's session's) thread, or on a
            // loop that is not its context's: Vert.x's handler stays, and its dispatch to the socket's context with
            // it (it runs the callbacks there). Vert.x erases the handlers' types:
            // the same object takes the Throwable and the null these callbacks pass.
            socket.messageHandler(handler);
            socket.eventHandler(handler);
            socket.exceptionHandler((io.vertx.core.Handler<Throwable>) (io.vertx.core.Handler<?>) handler);
            socket.drainHandler((io.vertx.core.Handler<Void>) (io.vertx.core.Handler<?>) handler);
            socket.closeHandler((io.vertx.core.Handler<Void>) (io.vertx.core.Handler<?>) handler);
            return;
        }
        StreamEvents events = new StreamEvents(context, handler);
        ctx.pipeline().replace(ctx.handler(), StreamEvents.NAME, events);
        ctx = ctx.pipeline().context(events);
        socket = null;
    }

    /** Each read, as a buffer the consumer owns. */
    public void onData(Consumer<ByteBuf> consumer) {
        socket.messageHandler(msg -> {
            if (msg instanceof ByteBuf buf) {
                consumer.accept(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        });
    }

    public void onClose(io.vertx.core.Handler<Void> onClose) {
        socket.closeHandler(onClose);
    }

    /** Runs when the write queue falls back below its low-water mark. */
    public void onWritable(io.vertx.core.Handler<Void> onWritable) {
        socket.drainHandler(onWritable);
    }

    public void onError(Consumer<Throwable> onError) {
        socket.exceptionHandler(onError::accept);
    }

    public void pause() {
        ctx.channel().config().setAutoRead(false);
    }

    public void resume() {
        ctx.channel().config().setAutoRead(true);
    }

    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    /** Queues {@code buf} (ownership passes); it goes out with the next {@link #flush()}. */
    public void write(ByteBuf buf) {
        ctx.write(buf, ctx.voidPromise());
    }

    /** Flushes at the end of this event-loop turn, once however many writes came before. */
    public void flush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(this);
        }
    }

    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    public long pendingBytes() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    public boolean isOpen() {
        return ctx.channel().isActive();
    }

    /** Flushes what is queued, then closes (under TLS, Netty's TLS handler sends its close_notify first). */
    public void close() {
        if (socket != null) {
            socket.close();
        } else {
            // as Vert.x's own close: once the last write has gone out, not dropping what the kernel has not taken
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Flushes what is queued, then closes; drops the connection as {@link #abort()} does if it is still open
     * {@code graceMillis} later (Vert.x's close waits for the flush, which a peer that reads nothing never lets end).
     */
    public void close(long graceMillis) {
        close();
        ctx.executor().schedule(() -> {
            if (ctx.channel().isOpen()) {
                LOG.infof("connection %s dropped: %d bytes were still queued %d ms after its close (the peer reads"
                        + " nothing)", describe(remoteAddress()), pendingBytes(), graceMillis);
                abort();
            }
        }, graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Closes now, dropping what is queued, in Netty and in the kernel. Vert.x's close waits for the queue to
     * flush, which a peer that reads nothing never lets happen: closing from Vert.x's own handler's context passes
     * it by. No linger makes the kernel reset the TCP connection instead of keeping the unsent bytes (a Unix socket
     * has no such option and drops them anyway); under TLS, Netty's TLS handler still tries its close_notify for
     * up to its flush timeout (3 s) first.
     */
    public void abort() {
        ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
        ctx.close();
    }

    /** The Netty channel, for the adapters of this package that need more of it. */
    io.netty.channel.Channel channel() {
        return ctx.channel();
    }

    /** The context this connection writes through, for the adapters of this package. */
    ChannelHandlerContext context() {
        return ctx;
    }

    /**
     * The peer's address as Netty holds it for the channel anyway. Vert.x's {@code NetSocket.remoteAddress()} would
     * build and keep a wrapper of its own on every socket, which a tunnel of idle streams pays for many times.
     */
    public java.net.SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    /** How logs show an address: {@code 10.0.0.1:5000}, {@code [::1]:5000}, or a Unix socket's path. */
    public static String describe(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** {@link #remoteAddress()} for a socket not wrapped in a Connection. */
    public static java.net.SocketAddress remoteAddress(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel().remoteAddress();
    }

    /** The address a socket not wrapped in a Connection has at this end (a user's: the listen address it reached). */
    public static java.net.SocketAddress localAddress(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel().localAddress();
    }

    /** The scheduled flush (this connection is its own task: no extra object per socket). */
    @Override
    public void run() {
        flushScheduled = false;
        ctx.flush();
    }
}
