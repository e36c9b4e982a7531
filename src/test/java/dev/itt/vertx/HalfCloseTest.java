package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.Users;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The half-close adapter on real sockets: each side's FIN reaches the other while the reverse direction keeps
 * flowing, on NIO TCP, epoll TCP and epoll Unix sockets (the three transports the ends run on).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HalfCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What the Vert.x side saw: the bytes before the peer's EOF, and whether the socket closed under it. */
    private static final class Seen {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> eof = new CompletableFuture<>();
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean outputShut = new AtomicBoolean();
    }

    private static Vertx vertx(String transport) {
        Vertx v = Vertx.vertx(new VertxOptions().setPreferNativeTransport(!transport.equals("nio")));
        assertEquals(!transport.equals("nio"), v.isNativeTransportEnabled(), "transport " + transport);
        return v;
    }

    private static SocketChannel connect(String transport, NetServer server, Path dir) throws Exception {
        if (transport.equals("unix")) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            return ch;
        }
        return SocketChannel.open(new java.net.InetSocketAddress("127.0.0.1", server.actualPort()));
    }

    private static NetServer listen(Vertx vertx, String transport, Path dir, java.util.function.Consumer<NetSocket> onSocket)
            throws Exception {
        SocketAddress at = transport.equals("unix") ? SocketAddress.domainSocketAddress(dir.resolve("s.sock").toString())
                : SocketAddress.inetSocketAddress(0, "127.0.0.1");
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            HalfClose.enable(socket);
            onSocket.accept(socket);
        });
        return server.listen(at).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "unix"})
    void thePeersFinArrivesAsAnEventAndOurReplyStillGoesOut(String transport, @TempDir Path dir) throws Exception {
        Vertx vertx = vertx(transport);
        Seen seen = new Seen();
        try {
            NetServer server = listen(vertx, transport, dir, socket -> {
                socket.handler(b -> seen.bytes.writeBytes(b.getBytes()));
                socket.closeHandler(v -> seen.closed.set(true));
                onInputShutdown(socket, () -> {
                    String got = seen.bytes.toString(StandardCharsets.US_ASCII);
                    socket.write(Buffer.buffer("after your EOF: " + got));
                    HalfClose.shutdownOutput(socket, () -> {
                        seen.eof.complete(got);
                        socket.close(); // both directions are done: closing is ours to do
                    });
                });
            });
            try (SocketChannel ch = connect(transport, server, dir)) {
                ch.write(ByteBuffer.wrap("question".getBytes(StandardCharsets.US_ASCII)));
                ch.shutdownOutput();
                assertEquals("question", seen.eof.get(20, TimeUnit.SECONDS), "the FIN came after the bytes");
                String reply = new String(Users.readAll(Channels.newInputStream(ch)), StandardCharsets.US_ASCII);
                assertEquals("after your EOF: question", reply, "the reverse direction kept flowing, then our FIN");
            }
            Await.until("the close handler to run", WAIT, seen.closed::get);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "unix"})
    void ourFinGoesOutAfterTheLastWriteAndThePeerMayStillSend(String transport, @TempDir Path dir) throws Exception {
        Vertx vertx = vertx(transport);
        Seen seen = new Seen();
        byte[] big = new byte[4 * 1024 * 1024]; // larger than socket buffers: the FIN must wait for the writes
        new java.util.Random(1).nextBytes(big);
        try {
            NetServer server = listen(vertx, transport, dir, socket -> {
                socket.handler(b -> seen.bytes.writeBytes(b.getBytes()));
                onInputShutdown(socket, () -> seen.eof.complete(seen.bytes.toString(StandardCharsets.US_ASCII)));
                socket.write(Buffer.buffer(big));
                HalfClose.shutdownOutput(socket, () -> seen.outputShut.set(((io.netty.channel.socket.DuplexChannel)
                        ((io.vertx.core.net.impl.NetSocketInternal) socket).channelHandlerContext().channel())
                        .isOutputShutdown()));
            });
            try (SocketChannel ch = connect(transport, server, dir)) {
                byte[] got = Users.readAll(Channels.newInputStream(ch));
                assertTrue(java.util.Arrays.equals(big, got), "every byte, then EOF (" + got.length + " bytes)");
                ch.write(ByteBuffer.wrap("still here".getBytes(StandardCharsets.US_ASCII)));
                ch.shutdownOutput();
                assertEquals("still here", seen.eof.get(20, TimeUnit.SECONDS), "our direction was still open");
                assertTrue(seen.outputShut.get(), "Netty's channel knows its output is shut");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "unix"})
    void afterOurFinThePeersFinClosesTheSocketOnceItsBytesAreIn(String transport, @TempDir Path dir) throws Exception {
        Vertx vertx = vertx(transport);
        Seen seen = new Seen();
        CompletableFuture<String> atClose = new CompletableFuture<>();
        try {
            NetServer server = listen(vertx, transport, dir, socket -> {
                socket.handler(b -> seen.bytes.writeBytes(b.getBytes()));
                onInputShutdown(socket, () -> seen.eof.complete("an input-shutdown event"));
                socket.closeHandler(v -> atClose.complete(seen.bytes.toString(StandardCharsets.US_ASCII)));
                socket.write(Buffer.buffer("bye"));
                HalfClose.shutdownOutput(socket, () -> HalfClose.closeOnPeerFin(socket));
            });
            try (SocketChannel ch = connect(transport, server, dir)) {
                byte[] got = Users.readAll(Channels.newInputStream(ch));
                assertEquals("bye", new String(got, StandardCharsets.US_ASCII), "our bytes, then our FIN");
                ch.write(ByteBuffer.wrap("late bytes".getBytes(StandardCharsets.US_ASCII)));
                ch.shutdownOutput();
                assertEquals("late bytes", atClose.get(20, TimeUnit.SECONDS),
                        "the socket closed on the peer's FIN, after the bytes sent before it");
            }
            assertTrue(!seen.eof.isDone(), "no input-shutdown event: the FIN closed the socket instead");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void aFinOnASocketWhosePeerIsGoneClosesItQuietly() throws Exception {
        io.netty.channel.EventLoopGroup loop = new io.netty.channel.epoll.EpollEventLoopGroup(1);
        try {
            // Never connected: shutdown() answers ENOTCONN, as it does once a peer's reset has arrived unread.
            io.netty.channel.epoll.EpollSocketChannel ch = new io.netty.channel.epoll.EpollSocketChannel();
            loop.register(ch).sync();
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            ch.eventLoop().execute(() -> {
                try {
                    HalfClose.shutdownNative(ch, (io.netty.channel.unix.Socket) ch.fd());
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            });
            assertEquals(null, thrown.get(20, TimeUnit.SECONDS), "nothing escapes to the caller");
            ch.closeFuture().await(20, TimeUnit.SECONDS);
            assertTrue(!ch.isOpen(), "the socket is closed");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Runs {@code onEof} when the peer shuts down its write side, as StreamBridge tells that event apart. */
    private static void onInputShutdown(NetSocket socket, Runnable onEof) {
        ((io.vertx.core.net.impl.NetSocketInternal) socket).eventHandler(event -> {
            if (HalfClose.isInputShutdown(event)) {
                onEof.run();
            }
        });
    }
}
