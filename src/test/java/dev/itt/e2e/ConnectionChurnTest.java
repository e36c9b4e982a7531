package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.LogCapture;
import dev.itt.testing.Nginx;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection per request, many at once, through a real nginx that closes each one after its response: streams
 * close and open in the same event-loop turn on the agent, which must never give a new upstream socket the events
 * of one closed earlier in that turn (a descriptor number is reused at once).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionChurnTest {
    private static final int USERS = 40;
    private static final int REQUESTS_EACH = 100;

    @Test
    void newUpstreamSocketsNeverSeeTheEventsOfClosedOnes(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/small"), "x".repeat(1000));
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                TunnelFixture t = new TunnelFixture().startServer();
                LogCapture netty = LogCapture.start("io.netty")) {
            t.connectedAgent("127.0.0.1:" + nginx.port());
            ExecutorService pool = Executors.newFixedThreadPool(USERS);
            try {
                List<Future<Integer>> users = new ArrayList<>();
                for (int u = 0; u < USERS; u++) {
                    users.add(pool.submit(() -> requests(t.userPort())));
                }
                int ok = 0;
                for (Future<Integer> f : users) {
                    ok += f.get();
                }
                assertEquals(USERS * REQUESTS_EACH, ok, "requests answered 200 with the whole body");
            } finally {
                pool.shutdownNow();
            }
            assertTrue(netty.matching("").isEmpty(), "Netty logged: " + netty.matching(""));
        }
    }

    private static int requests(int port) throws Exception {
        int ok = 0;
        for (int i = 0; i < REQUESTS_EACH; i++) {
            try (Socket s = Users.connect(port)) {
                s.getOutputStream().write("GET /small HTTP/1.1\r\nHost: itt\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String reply = new String(Users.readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
                if (reply.startsWith("HTTP/1.1 200") && reply.endsWith("x".repeat(1000))) {
                    ok++;
                }
            }
        }
        return ok;
    }
}
