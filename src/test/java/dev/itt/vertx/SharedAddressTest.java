package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sockets of one end that reach the same listen address, or dial the same upstream, end up holding one copy of it
 * on epoll, with every lookup still giving the right address; on NIO, which keeps no such copy, nothing changes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedAddressTest {
    private static final int SOCKETS = 3;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void socketsWithTheSameAddressShareOneCopyOfIt(String transport) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(transport.equals("epoll")));
        try {
            assertEquals(transport.equals("epoll"), vertx.isNativeTransportEnabled(), "transport " + transport);
            SharedAddress listen = SharedAddress.local();
            SharedAddress upstream = SharedAddress.remote();
            List<Channel> accepted = new ArrayList<>();
            List<Channel> dialed = new ArrayList<>();
            CompletableFuture<Void> allAccepted = new CompletableFuture<>();
            NetServer server = vertx.createNetServer().connectHandler(s -> {
                // as the server end takes a user: the local address is looked up (PROXY headers) before sharing
                Connection.localAddress(s);
                Connection c = new Connection(s);
                listen.share(c);
                accepted.add(c.channel());
                if (accepted.size() == SOCKETS) {
                    allAccepted.complete(null);
                }
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            NetClient client = vertx.createNetClient();
            for (int i = 0; i < SOCKETS; i++) {
                NetSocket s = client.connect(server.actualPort(), "127.0.0.1")
                        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                Channel ch = ((NetSocketInternal) s).channelHandlerContext().channel();
                CompletableFuture<Void> shared = new CompletableFuture<>();
                ch.eventLoop().execute(() -> { // as the agent takes an upstream, on the socket's loop
                    upstream.share(new Connection(s));
                    shared.complete(null);
                });
                shared.get(20, TimeUnit.SECONDS);
                dialed.add(ch);
            }
            allAccepted.get(20, TimeUnit.SECONDS);

            assertAddresses(accepted, Channel::localAddress, transport.equals("epoll"), "listen address");
            assertAddresses(dialed, Channel::remoteAddress, transport.equals("epoll"), "upstream address");
            SocketAddress first = dialed.get(0).localAddress();
            assertNotSame(first, dialed.get(1).localAddress(), "each dialed socket's own port stays its own");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static void assertAddresses(List<Channel> channels, java.util.function.Function<Channel, SocketAddress> of,
            boolean shared, String what) {
        SocketAddress first = of.apply(channels.get(0));
        for (Channel ch : channels.subList(1, channels.size())) {
            SocketAddress a = of.apply(ch);
            assertEquals(first, a, what);
            if (shared) {
                assertSame(first, a, what + ": one copy on epoll");
            } else {
                assertNotSame(first, a, what + ": NIO's own lookups, untouched");
            }
        }
    }
}
