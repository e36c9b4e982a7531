package dev.itt.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.itt.config.DialTarget;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sockets the agent's dialer makes, on Netty's epoll transport as in production. */
class DialerTest {

    /**
     * Vert.x sets TCP_QUICKACK on every socket it dials, to {@code false} unless told otherwise, and Linux takes
     * that as "delay acknowledgements": the connect then holds back the last packet of the handshake for up to
     * 200 ms, to send it with the first bytes. An upstream that speaks first (SSH, SMTP, MySQL, or a server that
     * answers and closes) does not see the connection until then, and neither does its user. So: once the dial has
     * completed, the upstream can accept the connection straight away, without waiting.
     */
    @Test
    void theUpstreamCanAcceptAsSoonAsTheDialCompletes() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        if (!vertx.isNativeTransportEnabled()) {
            throw new AssertionError("native transport unavailable: " + vertx.unavailableNativeTransportCause());
        }
        Dialer dialer = new Dialer(vertx, null, Duration.ofSeconds(10));
        try (ServerSocketChannel upstream = ServerSocketChannel.open()) {
            upstream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            upstream.configureBlocking(false);
            String target = "127.0.0.1:" + upstream.socket().getLocalPort();
            for (int i = 0; i < 20; i++) {
                CompletableFuture<SocketChannel> acceptedAtOnce = new CompletableFuture<>();
                vertx.runOnContext(v -> dialer.dial(DialTarget.parse(target)).onSuccess(socket -> {
                    try {
                        acceptedAtOnce.complete(upstream.accept()); // null: not yet in the accept queue
                    } catch (java.io.IOException e) {
                        acceptedAtOnce.completeExceptionally(e);
                    }
                    socket.close();
                }).onFailure(acceptedAtOnce::completeExceptionally));
                try (SocketChannel accepted = acceptedAtOnce.get(20, TimeUnit.SECONDS)) {
                    assertNotNull(accepted, "dial " + i + ": the upstream had the connection already");
                }
            }
        } finally {
            dialer.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
