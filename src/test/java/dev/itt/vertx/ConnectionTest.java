package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What wrapping a dialed socket in a {@link Connection} lets go of, on NIO and epoll: the connect-timeout task
 * Netty keeps after connecting and the handler Vert.x keeps after announcing the socket, both of which an idle
 * stream would otherwise hold for its whole life.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionTest {

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void aDialedSocketKeepsNeitherItsConnectTimeoutTaskNorItsAnnouncingHandler(String transport) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(transport.equals("epoll")));
        try {
            assertEquals(transport.equals("epoll"), vertx.isNativeTransportEnabled(), "transport " + transport);
            NetServer server = vertx.createNetServer().connectHandler(s -> { });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
            CompletableFuture<Object[]> seen = new CompletableFuture<>();
            client.connect(server.actualPort(), "127.0.0.1").onComplete(ar -> {
                if (ar.failed()) {
                    seen.completeExceptionally(ar.cause());
                    return;
                }
                NetSocket socket = ar.result();
                Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
                Object before = timeoutTask(channel);
                new Connection(socket);
                // what is let go of once the connect's callbacks have returned
                channel.eventLoop().execute(() -> seen.complete(
                        new Object[] {before, timeoutTask(channel), announcing(socket)}));
            });
            Object[] s = seen.get(20, TimeUnit.SECONDS);
            assertNotNull(s[0], "Netty keeps the connect-timeout task after connecting (else this test is moot)");
            assertTrue(((Future<?>) s[0]).isCancelled(), "the connect-timeout task was cancelled (not left to fire)");
            assertNull(s[1], "connect-timeout task after wrapping");
            assertNull(s[2], "Vert.x's announcing handler after wrapping");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static Object timeoutTask(Channel channel) {
        return read(channel, channel.getClass(), "connectTimeoutFuture");
    }

    private static Object announcing(NetSocket socket) {
        VertxHandler<?> h = (VertxHandler<?>) ((NetSocketInternal) socket).channelHandlerContext().handler();
        return read(h, VertxHandler.class, "addHandler");
    }

    /** A private field's value, looked up from {@code type} up through its superclasses. */
    private static Object read(Object target, Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no field " + name + " in " + type);
    }
}
