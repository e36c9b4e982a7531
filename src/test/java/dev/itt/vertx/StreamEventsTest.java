package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stream's socket after {@link Connection#handleAll}: Vert.x's handler has left the pipeline, and Netty's events
 * reach the one handler as Vert.x's did (a read, the peer's FIN, closed), while writes still go out; on NIO and
 * epoll, against a plain socket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamEventsTest {
    private static final int CHUNK = 64 * 1024;
    private static final int BULK = 256 * CHUNK;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void aStreamSocketHearsReadsFinAndCloseFromNettyWithoutVertxHandlerAndClosesOnlyOnceItsBytesAreOut(String transport) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(transport.equals("epoll")));
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        try {
            assertEquals(transport.equals("epoll"), vertx.isNativeTransportEnabled(), "transport " + transport);
            NetServer server = vertx.createNetServer().connectHandler(s -> {
                HalfClose.enable(s);
                Connection c = new Connection(s);
                Channel ch = ((NetSocketInternal) s).channelHandlerContext().channel();
                c.handleAll(msg -> {
                    if (msg instanceof ByteBuf b) {
                        String text = b.toString(StandardCharsets.US_ASCII);
                        b.release();
                        seen.add(text);
                        if (text.equals("bulk")) {
                            // more than the kernel takes at once, then a close at once: every byte must still go
                            for (int i = 0; i < BULK / CHUNK; i++) {
                                c.write(c.alloc().buffer(CHUNK).writeZero(CHUNK));
                            }
                            c.close();
                            return;
                        }
                        c.write(c.alloc().buffer().writeBytes(("echo " + text).getBytes(StandardCharsets.US_ASCII)));
                        c.flush();
                    } else if (msg == null) {
                        seen.add(c.isOpen() ? "writable" : "closed");
                    } else if (HalfClose.isInputShutdown(msg)) {
                        seen.add("fin");
                        c.close();
                    }
                });
                seen.add(ch.pipeline().get(VertxHandler.class) == null ? "vertx gone" : "vertx still there");
                seen.add(c.socket() == null ? "socket let go" : "socket kept");
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            try (Socket user = new Socket("127.0.0.1", server.actualPort())) {
                assertEquals("vertx gone", seen.poll(20, TimeUnit.SECONDS));
                assertEquals("socket let go", seen.poll(20, TimeUnit.SECONDS));
                OutputStream out = user.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals("ping", seen.poll(20, TimeUnit.SECONDS));
                InputStream in = user.getInputStream();
                assertEquals("echo ping", new String(in.readNBytes(9), StandardCharsets.US_ASCII));
                user.shutdownOutput();
                assertEquals("fin", seen.poll(20, TimeUnit.SECONDS));
                assertEquals(-1, in.read(), "the socket closed after the FIN");
                assertEquals("closed", seen.poll(20, TimeUnit.SECONDS));
            }
            try (Socket user = new Socket("127.0.0.1", server.actualPort())) {
                assertEquals("vertx gone", seen.poll(20, TimeUnit.SECONDS));
                assertEquals("socket let go", seen.poll(20, TimeUnit.SECONDS));
                user.getOutputStream().write("bulk".getBytes(StandardCharsets.US_ASCII));
                assertEquals("bulk", seen.poll(20, TimeUnit.SECONDS));
                long got = 0;
                byte[] buf = new byte[CHUNK];
                for (int n; (n = user.getInputStream().read(buf)) > 0; ) {
                    got += n;
                }
                assertEquals(BULK, got, "bytes written before the close, all delivered");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * What a callback starts belongs to the socket's context, as under Vert.x's handler: a timer set when the socket
     * closes (as the agent's redial once a stream's end closed its session) fires on that context and its loop,
     * not on a context Vert.x makes up, on another loop, for a thread it finds running none.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void aStreamSocketsCallbacksRunOnItsVertxContextAndWhatTheyStartStaysThere(String transport) throws Exception {
        // more loops than one, so that a context made up elsewhere would most likely get another
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4)
                .setPreferNativeTransport(transport.equals("epoll")));
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try {
            assertEquals(transport.equals("epoll"), vertx.isNativeTransportEnabled(), "transport " + transport);
            NetServer server = vertx.createNetServer().connectHandler(s -> {
                HalfClose.enable(s);
                Context socketContext = Vertx.currentContext();
                Thread loop = Thread.currentThread();
                Connection c = new Connection(s);
                c.handleAll(msg -> {
                    String on = Vertx.currentContext() == socketContext ? "on the socket's context"
                            : "on context " + Vertx.currentContext();
                    if (msg instanceof ByteBuf b) {
                        b.release();
                        seen.add("read " + on);
                    } else if (HalfClose.isInputShutdown(msg)) {
                        seen.add("fin " + on);
                        c.close();
                    } else if (msg == null && !c.isOpen()) {
                        seen.add("closed " + on);
                        vertx.setTimer(1, id -> seen.add("timer " + (Vertx.currentContext() == socketContext
                                && Thread.currentThread() == loop ? "on the socket's context and loop"
                                : "on context " + Vertx.currentContext() + ", " + Thread.currentThread().getName()
                                        + " (the socket's: " + loop.getName() + ")")));
                    }
                });
                seen.add(c.socket() == null ? "socket let go" : "socket kept");
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            try (Socket user = new Socket("127.0.0.1", server.actualPort())) {
                assertEquals("socket let go", seen.poll(20, TimeUnit.SECONDS));
                user.getOutputStream().write('x');
                assertEquals("read on the socket's context", seen.poll(20, TimeUnit.SECONDS));
                user.shutdownOutput();
                assertEquals("fin on the socket's context", seen.poll(20, TimeUnit.SECONDS));
                assertEquals(-1, user.getInputStream().read(), "the socket closed after the FIN");
                assertEquals("closed on the socket's context", seen.poll(20, TimeUnit.SECONDS));
                assertEquals("timer on the socket's context and loop", seen.poll(20, TimeUnit.SECONDS));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
