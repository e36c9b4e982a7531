package dev.itt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.itt.config.DialTarget;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.testing.Await;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.netty.handler.proxy.ProxyConnectException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which reason each real dial failure becomes. The errors come from real dials where the kernel answers the same on
 * every Linux machine (a closed loopback port, a multicast destination, a missing socket file), and from Netty's own
 * errno translation where no dial gives that errno deterministically (EHOSTUNREACH).
 */
class DialErrorsTest {
    /** TCP to a multicast address: Linux refuses the connect with ENETUNREACH, whatever the routes are. */
    private static final InetSocketAddress MULTICAST = new InetSocketAddress("224.0.0.1", 80);

    private static Vertx vertx;
    private static Dialer dialer;

    @BeforeAll
    static void epoll() {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        if (!vertx.isNativeTransportEnabled()) {
            throw new AssertionError("native transport unavailable: " + vertx.unavailableNativeTransportCause());
        }
        dialer = new Dialer(vertx, null, Duration.ofSeconds(10));
    }

    @AfterAll
    static void close() throws Exception {
        dialer.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** The failure of a real dial through the agent's dialer (Vert.x on Netty epoll). */
    private static Throwable epollDial(String target) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> dialer.dial(DialTarget.parse(target))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS), target + " connected");
        return e.getCause();
    }

    /** The failure of a real blocking dial through the JDK's own sockets (the NIO transport's path). */
    private static IOException jdkDial(InetSocketAddress target) {
        return assertThrows(IOException.class, () -> {
            try (SocketChannel channel = SocketChannel.open()) {
                channel.connect(target);
            }
        }, target + " connected");
    }

    /** What Netty's epoll transport raises for a connect that fails with {@code negativeErrno}. */
    private static IOException nettyConnectError(int negativeErrno) {
        Epoll.ensureAvailability();
        return assertThrows(IOException.class, () -> Errors.throwConnectException("connect", negativeErrno));
    }

    @Test
    void aClosedPortIsConnectRefusedOnEpollAndOnTheJdk() throws Exception {
        int closed = Await.freePort();
        assertEquals(ErrorCode.CONNECT_REFUSED, DialErrors.classify(epollDial("127.0.0.1:" + closed)));
        assertEquals(ErrorCode.CONNECT_REFUSED,
                DialErrors.classify(jdkDial(new InetSocketAddress("127.0.0.1", closed))));
    }

    @Test
    void theJdkReportsNetworkUnreachableByItsText() {
        IOException e = jdkDial(MULTICAST);
        assertInstanceOf(SocketException.class, e);
        assertEquals(ErrorCode.NETWORK_UNREACHABLE, DialErrors.classify(e));
    }

    @Test
    void theJdkReportsHostUnreachableAsNoRouteToHost() {
        // the JDK's own translation of EHOSTUNREACH (a real one needs a host that does not answer ARP)
        assertEquals(ErrorCode.HOST_UNREACHABLE, DialErrors.classify(new NoRouteToHostException("No route to host")));
    }

    @Test
    void epollReportsNetworkAndHostUnreachableAlikeSoBothBecomeHostUnreachable() throws Exception {
        Throwable real = epollDial(MULTICAST.getHostString() + ":" + MULTICAST.getPort()); // ENETUNREACH
        assertInstanceOf(NoRouteToHostException.class, real);
        assertEquals(ErrorCode.HOST_UNREACHABLE, DialErrors.classify(real));
        IOException network = nettyConnectError(Errors.ERROR_ENETUNREACH_NEGATIVE);
        IOException host = nettyConnectError(Errors.ERROR_EHOSTUNREACH_NEGATIVE);
        assertEquals(NoRouteToHostException.class, network.getClass(), "if Netty ever tells them apart, map it");
        assertEquals(NoRouteToHostException.class, host.getClass());
        assertEquals(ErrorCode.HOST_UNREACHABLE, DialErrors.classify(network));
        assertEquals(ErrorCode.HOST_UNREACHABLE, DialErrors.classify(host));
    }

    @Test
    void anyOtherDialErrorIsConnectFailedNotRefused(@TempDir Path dir) throws Exception {
        Throwable missingSocket = epollDial("unix:" + dir.resolve("nobody-here.sock"));
        assertEquals(ErrorCode.CONNECT_FAILED, DialErrors.classify(missingSocket), missingSocket.toString());
        IOException reset = nettyConnectError(Errors.ERRNO_ECONNRESET_NEGATIVE);
        assertEquals(ErrorCode.CONNECT_FAILED, DialErrors.classify(reset), reset.toString());
        assertEquals(ErrorCode.CONNECT_FAILED, DialErrors.classify(new IllegalStateException("no proxy set")));
    }

    @Test
    void typedFailuresKeepTheirOwnReasonsWhereverTheyAreInTheChain() {
        assertEquals(ErrorCode.UNKNOWN_HOST, DialErrors.classify(new UnknownHostException("no-such-host.invalid")));
        assertEquals(ErrorCode.CONNECT_TIMEOUT,
                DialErrors.classify(new IllegalStateException(new ConnectTimeoutException("timed out"))));
        assertEquals(ErrorCode.PROXY_ERROR, DialErrors.classify(
                new ProxyConnectException("socks5, none, proxy:1080 => db:5432, status: CONNECTION_REFUSED")));
    }
}
