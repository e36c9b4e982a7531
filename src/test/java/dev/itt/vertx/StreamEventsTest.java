package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void aStreamSocketHearsReadsFinAndCloseFromNettyWithoutVertxHandler(String transport) throws Exception {
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
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
