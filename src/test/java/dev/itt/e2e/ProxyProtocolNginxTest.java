package dev.itt.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.ProxyProtocol;
import dev.itt.testing.Await;
import dev.itt.testing.Nginx;
import dev.itt.testing.TunnelFixture;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code proxy-protocol} against a real reader of the header: nginx with {@code listen ... proxy_protocol} behind a
 * real server end and agent on loopback logs, for a request through the tunnel, the address and port of the test's
 * own user socket (bound to 127.0.0.2 or ::1, so that it is not the agent's 127.0.0.1) and the server end's listen
 * address, while the connection itself came from the agent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyProtocolNginxTest {

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(ProxyProtocol.V1, "127.0.0.2", "127.0.0.1"),
                Arguments.of(ProxyProtocol.V2, "127.0.0.2", "127.0.0.1"),
                Arguments.of(ProxyProtocol.V1, "::1", "::1"),
                Arguments.of(ProxyProtocol.V2, "::1", "::1"));
    }

    @ParameterizedTest(name = "{0}, user {1} to a listen on {2}")
    @MethodSource("cases")
    void nginxLogsTheUsersOwnAddressAndPort(ProxyProtocol version, String from, String listen, @TempDir Path dir)
            throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "through the tunnel\n");
        String listenAddress = listen.contains(":") ? "[" + listen + "]:0" : listen + ":0";
        try (Nginx nginx = Nginx.serveBehindProxyProtocol(dir.resolve("nginx"), www);
                TunnelFixture t = new TunnelFixture().listen(listenAddress).proxyProtocol(version).startServer()) {
            t.connectedAgent("127.0.0.1:" + nginx.port());
            int userPort;
            try (Socket user = new Socket()) {
                user.bind(new InetSocketAddress(from, 0));
                user.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
                user.connect(new InetSocketAddress(listen, t.userPort()), 5_000);
                userPort = user.getLocalPort();
                user.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                String reply = new String(user.getInputStream().readAllBytes(), US_ASCII);
                assertTrue(reply.startsWith("HTTP/1.1 200") && reply.endsWith("through the tunnel\n"),
                        reply + nginx.errorLog());
            }
            Await.until("nginx to log the request", TunnelFixture.WAIT, () -> !nginx.accessLog().isEmpty());
            assertEquals(List.of(from + ":" + userPort + " " + listen + ":" + t.userPort()
                    + " 127.0.0.1 \"GET /index.html HTTP/1.0\" 200"), nginx.accessLog(), nginx.errorLog());
        }
    }
}
