package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.mux.SessionConfig;
import dev.itt.testing.Curl;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Nginx;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our legacy server end and legacy agent together, through real nginx and curl, TCP and Unix sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LegacyEndToEndTest {

    private static Path file(Path www, int size) throws Exception {
        Files.createDirectories(www);
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(www.resolve("big.bin"), data);
    }

    @Test
    void curlToNginxOverTcp(@TempDir Path dir) throws Exception {
        Path f = file(dir.resolve("www"), 10 * 1024 * 1024);
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                TunnelFixture t = new TunnelFixture().legacy().startServer()) {
            t.connectedAgent("127.0.0.1:" + nginx.port());
            for (int i = 0; i < 3; i++) {
                Path out = dir.resolve("out" + i);
                assertEquals("200 " + 10 * 1024 * 1024, Curl.get("http://127.0.0.1:" + t.userPort() + "/big.bin", out));
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out));
            }
        }
    }

    @Test
    void curlOverAUnixSocketListenToAUnixSocketUpstream(@TempDir Path dir) throws Exception {
        Path f = file(dir.resolve("www"), 2 * 1024 * 1024);
        Path users = dir.resolve("users.sock");
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                dev.itt.testing.Peers.Process relay = unixToTcp(dir, nginx.port());
                TunnelFixture t = new TunnelFixture().legacy().listen("unix:" + users).startServer()) {
            t.connectedAgent("unix:" + dir.resolve("nginx.sock"));
            Path out = dir.resolve("out");
            String curl = dev.itt.testing.Peers.require("curl", "curl");
            String result = dev.itt.testing.Peers.run(dir, curl, "-sS", "--max-time", "60", "--unix-socket",
                    users.toString(), "-o", out.toString(), "-w", "%{http_code}", "http://localhost/big.bin");
            assertEquals("200", result.trim());
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out));
        }
    }

    /** nginx-light listens on TCP here; a second nginx config would do, but a Unix socket served by nginx is simplest. */
    private static dev.itt.testing.Peers.Process unixToTcp(Path dir, int port) throws Exception {
        String nginx = dev.itt.testing.Peers.require("nginx", "nginx-light");
        Path prefix = dir.resolve("unix-nginx");
        Files.createDirectories(prefix.resolve("tmp"));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n", "user root;", "worker_processes 1;",
                "pid " + prefix.resolve("nginx.pid") + ";", "error_log " + prefix.resolve("error.log") + ";",
                "events { worker_connections 64; }", "http {", "  access_log off;",
                "  client_body_temp_path " + prefix.resolve("tmp") + ";",
                "  proxy_temp_path " + prefix.resolve("tmp") + ";",
                "  fastcgi_temp_path " + prefix.resolve("tmp") + ";",
                "  uwsgi_temp_path " + prefix.resolve("tmp") + ";",
                "  scgi_temp_path " + prefix.resolve("tmp") + ";",
                "  server { listen unix:" + dir.resolve("nginx.sock") + "; location / { proxy_pass http://127.0.0.1:"
                        + port + "; } }", "}", ""));
        dev.itt.testing.Peers.Process p = dev.itt.testing.Peers.Process.start(prefix.resolve("out.log"), nginx, "-p",
                prefix.toString(), "-c", conf.toString(), "-g", "daemon off;");
        dev.itt.testing.Await.until("nginx on its Unix socket", TunnelFixture.WAIT,
                () -> Files.exists(dir.resolve("nginx.sock")));
        return p;
    }

    /** The defaults, but the native protocol's per-second limits at 1: far below any real legacy traffic. */
    private static SessionConfig nativeRateLimitsOfOne() {
        return TestConfigs.session("t", null, Map.of("max-pings-per-second", "1", "max-resets-per-second", "1",
                "max-control-frames-per-second", "1"));
    }

    @Test
    void thousandsOfShortConnectionsAreNormalLegacyTrafficNotAResetFlood() throws Exception {
        int connections = 3_000;
        try (LogCapture log = LogCapture.start();
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().legacy().session(nativeRateLimitsOfOne()).startServer()) {
            t.connectedAgent(echo.address());
            ExecutorService users = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> replies = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    String text = "user " + i;
                    replies.add(users.submit(() -> {
                        try (Socket user = Users.connect(t.userPort())) {
                            user.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
                            byte[] echoed = user.getInputStream().readNBytes(text.length());
                            return new String(echoed, StandardCharsets.US_ASCII);
                        }
                    }));
                }
                for (int i = 0; i < connections; i++) {
                    assertEquals("user " + i, replies.get(i).get(60, TimeUnit.SECONDS), "connection " + i);
                }
            } finally {
                users.shutdownNow();
            }
            // every connect, reply and close went through while the native limits (1 a second) would have cut the
            // tunnel at the second one; the one tunnel connection carried them all
            log.await("connected to server"); // the capture sees this test's tunnel
            assertEquals(List.of(), log.matching("closing session"));
            assertEquals(List.of(), log.matching("lost server"));
            assertEquals(1, t.server.stats().agents());
        }
    }

    @Test
    void aSlowReaderBoundsWhatEachEndHoldsInLegacyMode() throws Exception {
        long size = 50L * 1024 * 1024;
        int budget = 4 * 1024 * 1024;
        SessionConfig session = TestConfigs.session("t", null,
                Map.of("max-stream-window", "1M", "session-window", String.valueOf(budget)));
        try (Target source = Target.tcp(Target.Mode.SOURCE, size);
                TunnelFixture t = new TunnelFixture().legacy().session(session).startServer()) {
            AgentEnd agent = t.connectedAgent(source.address());
            try (Socket slow = Users.connect(t.userPort())) {
                slow.getOutputStream().write(1);
                dev.itt.testing.Await.until("the slow user's stream to fill up", TunnelFixture.WAIT,
                        () -> t.server.stats().peakBufferedBytes() >= budget);
                long serverPeak = t.server.stats().peakBufferedBytes();
                long agentPeak = agent.stats().peakBufferedBytes();
                // no credit in this format: the server stops reading the tunnel once it holds the budget; the
                // agent, its tunnel write queue full, pauses its upstream socket
                System.out.printf("legacy slow reader: server peak %d, agent peak %d, budget %d%n", serverPeak,
                        agentPeak, budget);
                assertTrue(serverPeak <= budget + 2L * 1024 * 1024, "server peak " + serverPeak);
                assertTrue(agentPeak <= budget, "agent peak " + agentPeak);
                // the tunnel is stalled, not broken: draining the slow user lets everything through (its receive
                // buffer is left at the default: a tiny one makes loopback TCP crawl at tens of KB/s)
                InputStream in = slow.getInputStream();
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                }
                assertEquals(size, total);
                assertTrue(t.server.stats().peakBufferedBytes() <= budget + 2L * 1024 * 1024);
            }
        }
    }
}
