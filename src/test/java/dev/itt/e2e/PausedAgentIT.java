package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.IttProcess;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent paused with SIGSTOP (docs/SECURITY.md): two packaged agents, each its own process, serve one server
 * tunnel (in this JVM). One carries a transfer; the other is stopped. The server end cuts the stopped one's
 * session within its keep-alive timeout and says why, every user that comes meanwhile is served by the healthy one
 * or closed promptly, the transfer ends byte-exact, and the stopped agent, once continued, connects again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PausedAgentIT {
    private static final Duration START = Duration.ofSeconds(30);
    /** The same keep-alive on both ends: a PING after 1 s of quiet, dead after 3 s of silence. */
    private static final Map<String, String> KEEP_ALIVE = Map.of("keep-alive-interval", "1s", "keep-alive-timeout", "3s");
    private static final Map<String, String> KEEP_ALIVE_ENV = Map.of(
            "ITT_TUNNELS_ITT_KEEP_ALIVE_INTERVAL", "1s", "ITT_TUNNELS_ITT_KEEP_ALIVE_TIMEOUT", "3s");
    /** Timeout, plus a tick for the clock to be seen and one for the check to fall after it. */
    private static final Duration CUT_WITHIN = Duration.ofSeconds(3 + 2);

    @Test
    void theServerEndCutsAStoppedAgentAndTheOtherServesOn(@TempDir Path dir) throws Exception {
        try (LogCapture log = LogCapture.start();
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture tunnel = new TunnelFixture().session(TestConfigs.session("itt", null, KEEP_ALIVE))
                        .startServer();
                IttProcess healthy = agent(dir, "healthy", tunnel, echo)) {
            Await.until("the healthy agent at the server end", TunnelFixture.WAIT, () -> tunnel.server.stats().agents() == 1);
            try (FlowingEcho flow = FlowingEcho.start(tunnel.userPort()); // on the only agent: the healthy one
                    IttProcess paused = agent(dir, "paused", tunnel, echo)) {
                Await.until("both agents at the server end", TunnelFixture.WAIT, () -> tunnel.server.stats().agents() == 2);
                try (Socket onPaused = Users.connect(tunnel.userPort())) { // the agent with fewer streams: the paused one
                    assertTrue(echoes(onPaused), "served by the second agent before the pause");
                    paused.signal("STOP");
                    try {
                        long stoppedAt = System.nanoTime();
                        List<CompletableFuture<String>> users = new ArrayList<>();
                        for (int i = 0; i < 4; i++) {
                            users.add(CompletableFuture.supplyAsync(() -> servedOrClosed(tunnel.userPort())));
                        }
                        String line = log.await("no frame from the peer");
                        long tookMs = (System.nanoTime() - stoppedAt) / 1_000_000;
                        assertTrue(line.contains("(KEEPALIVE_TIMEOUT)"), line);
                        assertTrue(tookMs <= CUT_WITHIN.toMillis(), "cut " + tookMs + " ms after SIGSTOP");
                        Await.until("the server end to count the healthy agent only", TunnelFixture.WAIT,
                                () -> tunnel.server.stats().agents() == 1);
                        assertEquals(-1, readOrEnd(onPaused), "the paused agent's user is closed, not left hanging");
                        for (CompletableFuture<String> u : users) {
                            String outcome = u.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
                            assertTrue(outcome.equals("served") || outcome.startsWith("closed after"), outcome);
                        }
                        try (Socket after = Users.connect(tunnel.userPort())) {
                            assertTrue(echoes(after), "a user after the cut is served by the healthy agent");
                        }
                        flow.awaitMore(8L * 1024 * 1024);
                        flow.finish();
                    } finally {
                        paused.signal("CONT");
                    }
                    Await.until("the continued agent to connect again", TunnelFixture.WAIT,
                            () -> tunnel.server.stats().agents() == 2 && paused.count("connected to server") == 2);
                }
            }
        }
    }

    private static IttProcess agent(Path dir, String name, TunnelFixture tunnel, Target echo) throws IOException {
        return IttProcess.start(dir.resolve(name + ".log"), KEEP_ALIVE_ENV, "client", "-downstream",
                tunnel.tunnelAddress(), "-upstream", echo.address()).awaitLog("connected to server", START);
    }

    /** One echo round trip. */
    private static boolean echoes(Socket user) throws IOException {
        byte[] probe = "are you there".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        user.getOutputStream().write(probe);
        byte[] got = user.getInputStream().readNBytes(probe.length);
        assertArrayEquals(probe, got);
        return true;
    }

    /** A user that came during the pause: "served" after an echo, or "closed after N ms" if its stream was cut. */
    private static String servedOrClosed(int port) {
        long start = System.nanoTime();
        try (Socket user = Users.connect(port)) {
            user.setSoTimeout((int) CUT_WITHIN.plusSeconds(2).toMillis()); // past that, it was left hanging
            return echoes(user) ? "served" : "not served";
        } catch (IOException | AssertionError e) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (e instanceof java.net.SocketTimeoutException) {
                return "left hanging for " + ms + " ms";
            }
            return "closed after " + ms + " ms (" + e + ")";
        }
    }

    private static int readOrEnd(Socket user) throws IOException {
        InputStream in = user.getInputStream();
        try {
            return in.read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }
}
