package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.Curl;
import dev.itt.testing.Nginx;
import dev.itt.testing.Peers;
import dev.itt.testing.TunnelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's dials through real proxies from Debian: microsocks (SOCKS5, with and without user/password) and
 * tinyproxy (HTTP CONNECT). Each proxy binds its outgoing side to its own loopback address, so the upstream
 * (nginx) sees where every connection really came from; the proxy's own log shows what name it was asked for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyEndToEndTest {

    @Test
    void socks5WithUserAndPasswordResolvesTheNameOnTheAgent(@TempDir Path dir) throws Exception {
        int port = Await.freePort();
        try (Peers.Process socks = Peers.Process.start(dir.resolve("socks.log"),
                Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p", String.valueOf(port),
                "-u", "itt", "-P", "pa:ss", "-b", "127.0.0.5")) {
            Await.port(port, Duration.ofSeconds(10));
            String log = fetchThrough(dir, "socks5://itt:pa%3Ass@127.0.0.1:" + port, "proxy:localhost", "127.0.0.5",
                    socks);
            assertTrue(log.matches("(?s).*connected to 127\\.0\\.0\\.1:\\d+.*"),
                    "socks5: the proxy was given an address, the name was resolved here:\n" + log);
        }
    }

    @Test
    void socks5hLetsTheProxyResolveTheName(@TempDir Path dir) throws Exception {
        int port = Await.freePort();
        try (Peers.Process socks = Peers.Process.start(dir.resolve("socks.log"),
                Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p", String.valueOf(port),
                "-b", "127.0.0.5")) {
            Await.port(port, Duration.ofSeconds(10));
            String log = fetchThrough(dir, "socks5h://127.0.0.1:" + port, "proxy:localhost", "127.0.0.5", socks);
            assertTrue(log.matches("(?s).*connected to localhost:\\d+.*"),
                    "socks5h: the proxy was given the name:\n" + log);
        }
    }

    @Test
    void httpConnectThroughTinyproxy(@TempDir Path dir) throws Exception {
        int port = Await.freePort();
        try (Peers.Process proxy = tinyproxy(dir, port)) {
            fetchThrough(dir, "http://127.0.0.1:" + port, "proxy:localhost", "127.0.0.6", proxy);
            String text = Files.readString(dir.resolve("tinyproxy.log"));
            assertTrue(text.contains("Established connection to host \"localhost\""), text);
        }
    }

    @Test
    void httpConnectWithUserAndPassword(@TempDir Path dir) throws Exception {
        int port = Await.freePort();
        try (Peers.Process proxy = tinyproxy(dir, port, "BasicAuth itt s3cret")) {
            fetchThrough(dir, "http://itt:s3cret@127.0.0.1:" + port, "proxy:localhost", "127.0.0.6", proxy);
            String text = Files.readString(dir.resolve("tinyproxy.log"));
            assertTrue(text.contains("Established connection to host \"localhost\""), text);
        }
    }

    /** tinyproxy on {@code port}, connecting out from 127.0.0.6 so the upstream can tell it was used. */
    private static Peers.Process tinyproxy(Path dir, int port, String... extra) throws Exception {
        Path conf = dir.resolve("tinyproxy.conf");
        Path log = dir.resolve("tinyproxy.log");
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of("Port " + port, "Listen 127.0.0.1",
                "Bind 127.0.0.6", "Timeout 600", "LogFile \"" + log + "\"", "LogLevel Info", "MaxClients 100",
                "Allow 127.0.0.1"));
        lines.addAll(java.util.List.of(extra));
        lines.add("");
        Files.writeString(conf, String.join("\n", lines));
        Peers.Process proxy = Peers.Process.start(dir.resolve("tinyproxy.out"),
                Peers.require("tinyproxy", "tinyproxy"), "-d", "-c", conf.toString());
        Await.port(port, Duration.ofSeconds(10));
        return proxy;
    }

    @Test
    void theDownstreamMayGoThroughTheProxyToo(@TempDir Path dir) throws Exception {
        int port = Await.freePort();
        try (Peers.Process socks = Peers.Process.start(dir.resolve("socks.log"),
                Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p", String.valueOf(port),
                "-b", "127.0.0.7")) {
            Await.port(port, Duration.ofSeconds(10));
            Path file = NginxCurlTest.bigFile(dir.resolve("www"), 1024 * 1024);
            try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                    TunnelFixture t = new TunnelFixture().startServer()) {
                var agent = t.startAgent("proxy:127.0.0.1:" + t.server.tunnelPort(), "127.0.0.1:" + nginx.port(),
                        "socks5h://127.0.0.1:" + port);
                Await.until("the agent to connect through the proxy", TunnelFixture.WAIT, agent::isReady);
                Path out = dir.resolve("out.bin");
                assertEquals("200 " + (1024 * 1024), Curl.get("http://127.0.0.1:" + t.userPort() + "/big.bin", out));
                assertArrayEquals(NginxCurlTest.sha(file), NginxCurlTest.sha(out));
                String log = socks.log();
                assertTrue(log.contains("connected to 127.0.0.1:" + t.server.tunnelPort()), log);
            }
        }
    }

    /** Serves a file with nginx, fetches it with curl through a tunnel whose upstream is {@code target:port}. */
    private static String fetchThrough(Path dir, String proxy, String targetHost, String proxyOutgoingAddress,
            Peers.Process proxyProcess) throws Exception {
        Path file = NginxCurlTest.bigFile(dir.resolve("www"), 2 * 1024 * 1024);
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                TunnelFixture t = new TunnelFixture().startServer()) {
            var agent = t.startAgent(t.tunnelAddress(), targetHost + ":" + nginx.port(), proxy);
            Await.until("the agent to connect", TunnelFixture.WAIT, agent::isReady);
            Path out = dir.resolve("out.bin");
            assertEquals("200 " + (2 * 1024 * 1024), Curl.get("http://127.0.0.1:" + t.userPort() + "/big.bin", out));
            assertArrayEquals(NginxCurlTest.sha(file), NginxCurlTest.sha(out));
            String access = Files.readString(dir.resolve("nginx").resolve("access.log"));
            assertTrue(access.startsWith(proxyOutgoingAddress + " "),
                    "nginx saw the request come from the proxy's address " + proxyOutgoingAddress + ":\n" + access);
            assertTrue(!access.contains("127.0.0.1 "), "and never directly from the agent:\n" + access);
            return proxyProcess.log();
        }
    }

}
