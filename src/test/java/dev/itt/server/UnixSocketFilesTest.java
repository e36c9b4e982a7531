package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.Endpoint;
import dev.itt.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the server end does with a Unix-socket path before it binds and after it stops: a stale socket file goes,
 * a live socket, a regular file or a directory stays and start-up is refused, and TCP endpoints are not its
 * business. Live sockets are real listeners: a JDK {@link ServerSocketChannel} or a Vert.x server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketFilesTest {
    private static Vertx nativeVertx;
    private static Vertx nioVertx;

    @BeforeAll
    static void vertx() {
        nativeVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        assertTrue(nativeVertx.isNativeTransportEnabled(), "native transport: "
                + nativeVertx.unavailableNativeTransportCause());
        nioVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    }

    @AfterAll
    static void closeVertx() throws Exception {
        await(nativeVertx.close());
        await(nioVertx.close());
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Endpoint unix(Path path) {
        return new Endpoint.Unix(path.toString());
    }

    /** A socket file that nobody listens on, as a process that died leaves it (the JDK keeps the file on close). */
    private static void staleSocketAt(Path path) throws IOException {
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path)).close();
        assertTrue(Files.exists(path), "the socket file outlives its listener");
    }

    private static boolean accepts(Path path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return ch.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aStaleSocketFileIsRemovedSoThatTheBindSucceeds(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("users.sock");
        staleSocketAt(path);
        UnixSocketFiles.prepare(nativeVertx, "docker", "listen", unix(path));
        assertTrue(Files.notExists(path), "the stale file is gone");
        NetServer server = await(nativeVertx.createNetServer().connectHandler(s -> s.close())
                .listen(SocketAddress.domainSocketAddress(path.toString())));
        try {
            assertTrue(accepts(path), "a new listener took the path");
        } finally {
            await(server.close());
        }
    }

    @ParameterizedTest(name = "{0} listener, key {1}")
    @CsvSource({"jdk, listen", "vertx, tunnel"})
    void aLiveSocketIsNotStolenAndTheRefusalNamesTheTunnelAndKey(String listener, String key, @TempDir Path dir)
            throws Exception {
        Path path = dir.resolve("live.sock");
        AutoCloseable live = listen(listener, path);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> UnixSocketFiles.prepare(nativeVertx, "docker", key, unix(path)));
            String message = e.getMessage();
            assertTrue(message.startsWith("tunnel docker: " + key + " unix:" + path + " "), message);
            assertTrue(message.contains("in use"), message);
            assertTrue(Files.exists(path), "the live socket's file is still there");
            assertTrue(accepts(path), "and its listener still takes connections");
        } finally {
            live.close();
        }
    }

    /**
     * A listener at {@code path}. The JDK one never accepts (connections wait in its backlog); the Vert.x one
     * accepts and closes each, and on close first waits for the two connections the test makes (the probe and
     * the check after it), so that none is still on its way to a server that is gone.
     */
    private static AutoCloseable listen(String listener, Path path) throws Exception {
        if (listener.equals("jdk")) {
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            return ch;
        }
        AtomicInteger accepted = new AtomicInteger();
        NetServer server = await(nativeVertx.createNetServer().connectHandler(s -> {
            accepted.incrementAndGet();
            s.close();
        }).listen(SocketAddress.domainSocketAddress(path.toString())));
        return () -> {
            Await.until("the probe and the check to reach the Vert.x listener", Duration.ofSeconds(20),
                    () -> accepted.get() == 2);
            await(server.close());
        };
    }

    @Test
    void aRegularFileAtThePathIsKeptAndRefused(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("notes.txt");
        Files.writeString(path, "keep me");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UnixSocketFiles.prepare(nativeVertx, "docker", "listen", unix(path)));
        assertTrue(e.getMessage().startsWith("tunnel docker: listen unix:" + path + " "), e.getMessage());
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    void aDirectoryAtThePathIsKeptAndRefused(@TempDir Path dir) throws Exception {
        Path path = Files.createDirectory(dir.resolve("sockets"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UnixSocketFiles.prepare(nativeVertx, "docker", "tunnel", unix(path)));
        assertTrue(e.getMessage().startsWith("tunnel docker: tunnel unix:" + path + " "), e.getMessage());
        assertTrue(Files.isDirectory(path));
    }

    @Test
    void aFreePathIsLeftAsItIs(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("users.sock");
        UnixSocketFiles.prepare(nativeVertx, "docker", "listen", unix(path));
        assertTrue(Files.notExists(path), "nothing was made at the path");
    }

    @Test
    void aUnixPathWithoutTheNativeTransportIsRefusedBeforeTheFileIsTouched(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("users.sock");
        staleSocketAt(path);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UnixSocketFiles.prepare(nioVertx, "docker", "listen", unix(path)));
        assertTrue(e.getMessage().startsWith("tunnel docker: listen unix:" + path + " "), e.getMessage());
        assertTrue(e.getMessage().contains("native"), e.getMessage());
        assertTrue(Files.exists(path), "the stale file was not removed for a bind that cannot happen");
    }

    @Test
    void removeDeletesTheSocketFileAndIsQuietWhenItIsGone(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("users.sock");
        staleSocketAt(path);
        UnixSocketFiles.remove(unix(path));
        assertTrue(Files.notExists(path));
        UnixSocketFiles.remove(unix(path)); // nothing left to remove: no error either
        assertTrue(Files.notExists(path));
    }

    @Test
    void tcpEndpointsAreLeftAlone(@TempDir Path dir) throws Exception {
        // a TCP host that happens to be a file's path: neither call may take it for a socket path
        Path file = Files.writeString(dir.resolve("127.0.0.1"), "not a socket path");
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Endpoint taken = new Endpoint.Tcp("127.0.0.1", busy.getLocalPort());
            // no native transport needed and no probe: a port in use is the bind's to report
            UnixSocketFiles.prepare(nioVertx, "docker", "listen", taken);
            UnixSocketFiles.prepare(nioVertx, "docker", "listen", new Endpoint.Tcp(file.toString(), 80));
            UnixSocketFiles.remove(taken);
            UnixSocketFiles.remove(new Endpoint.Tcp(file.toString(), 80));
        }
        assertEquals("not a socket path", Files.readString(file));
    }
}
