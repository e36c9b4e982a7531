package dev.itt.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.util.function.Consumer;

/**
 * A Vert.x socket as the data path needs it: bytes in as Netty's pooled {@link ByteBuf}s (Vert.x's own data
 * handler copies every read into a heap buffer), bytes out without a flush per write (one flush per event-loop
 * turn), and read pause/resume on the channel itself. Used only on the socket's event loop.
 */
public final class Connection implements Runnable {
    /**
     * One read-size policy for every user and upstream socket. Netty makes an allocator object per channel by
     * default; the sizing state lives in each channel's handle anyway, so sharing saves 40 bytes per idle stream.
     */
    private static final io.netty.channel.AdaptiveRecvByteBufAllocator SHARED_READS =
            new io.netty.channel.AdaptiveRecvByteBufAllocator();

    private final NetSocketInternal socket;
    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private boolean flushScheduled;

    public Connection(NetSocket socket) {
        this.socket = (NetSocketInternal) socket;
        this.ctx = this.socket.channelHandlerContext();
        this.channel = ctx.channel();
    }

    /**
     * Sets how many bytes may wait in this socket's write queue before it reports itself full ({@code high}) and
     * how far the queue must drain before it reports writable again ({@code low}).
     */
    public void writeQueueMarks(int low, int high) {
        channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(low, high));
    }

    /** Uses the read-size policy shared by all stream sockets; call before the first read. */
    public void shareReadPolicy() {
        channel.config().setRecvByteBufAllocator(SHARED_READS);
    }

    /** Lets one read take up to {@code max} bytes when that much is waiting (Netty's default stops at 64 KiB). */
    public void readUpTo(int max) {
        channel.config().setRecvByteBufAllocator(new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 16 * 1024, max));
    }

    public NetSocket socket() {
        return socket;
    }

    /**
     * Each read (a {@link ByteBuf} the handler owns) and each channel event (such as the peer's FIN, see
     * {@link HalfClose#isInputShutdown}) into one handler: one object per socket instead of two.
     */
    public void onMessagesAndEvents(io.vertx.core.Handler<Object> handler) {
        socket.messageHandler(handler);
        socket.eventHandler(handler);
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
        channel.config().setAutoRead(false);
    }

    public void resume() {
        channel.config().setAutoRead(true);
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
        return channel.isWritable();
    }

    public long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Flushes what is queued, then closes. */
    public void close() {
        socket.close();
    }

    /**
     * The peer's address as Netty holds it for the channel anyway. Vert.x's {@code NetSocket.remoteAddress()} would
     * build and keep a wrapper of its own on every socket, which a tunnel of idle streams pays for many times.
     */
    public java.net.SocketAddress remoteAddress() {
        return channel.remoteAddress();
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

    /** The scheduled flush (this connection is its own task: no extra object per socket). */
    @Override
    public void run() {
        flushScheduled = false;
        ctx.flush();
    }
}
