package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How an agent on the default reconnect settings comes back to a server end that restarts, and what it logs while
 * it cannot: a real server end and agent on loopback, the server end stopped (GO_AWAY, drain) and started again on
 * the same ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentRedialTest {
    /** The promise to operators: a server end back is served again within this, whatever its downtime. */
    private static final Duration BACK_WITHIN = Duration.ofSeconds(2);

    @Test
    void anAgentServesAgainWithinTwoSecondsOfARestartedServerEndListening() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                LogCapture agentLog = LogCapture.start(AgentEnd.class.getName(), Level.FINE);
                TunnelFixture t = new TunnelFixture().defaultReconnect().startServer()) {
            AgentEnd agent = t.connectedAgent(echo.address());
            int userPort = t.userPort();
            int tunnelPort = t.server.tunnelPort();
            TunnelFixture.join(t.server.stop());
            // Down long enough that a backoff from 50 ms doubling on every refusal would now wait 3.2 s or more
            // (the eighth delay's ceiling is 6.4 s): the attempts are counted in the log, not timed.
            agentLog.await("attempt 8 failed");
            assertFalse(agent.isReady());

            t.listen("127.0.0.1:" + userPort).tunnel("127.0.0.1:" + tunnelPort).startServer();
            long listening = System.nanoTime();
            Await.until("the agent to be back on the restarted server end", BACK_WITHIN,
                    () -> agent.isReady() && t.server.stats().agents() == 1);
            Duration back = Duration.ofNanos(System.nanoTime() - listening);
            try (Socket user = Users.connect(userPort)) {
                user.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                user.shutdownOutput();
                assertEquals("ping", new String(Users.readAll(user.getInputStream()), StandardCharsets.US_ASCII));
            }
            assertTrue(back.compareTo(BACK_WITHIN) < 0, "back after " + back.toMillis() + " ms");

            List<String> warned = agentLog.matching("WARN");
            assertEquals(1, warned.size(), "one warning for the whole outage: " + warned);
            assertTrue(warned.get(0).contains("lost server") && warned.get(0).contains("attempt 1 failed"),
                    warned.get(0));
            assertTrue(agentLog.matching("connected to server").get(1).contains(" failed attempts"),
                    "the reconnect says how many attempts failed: " + agentLog.matching("connected to server"));
        }
    }

    @Test
    void aServerThatStaysAwayIsLoggedOnceWithTheAttemptCountAndNextDelayAndTheRetriesAtDebug() throws Exception {
        int nobody = Await.freePort();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                LogCapture agentLog = LogCapture.start(AgentEnd.class.getName(), Level.FINE);
                TunnelFixture t = new TunnelFixture().defaultReconnect()) {
            t.startAgent("127.0.0.1:" + nobody, echo.address(), null);
            agentLog.await("attempt 5 failed");
            List<String> warned = agentLog.matching("WARN");
            assertEquals(1, warned.size(), "the first failure only, within the minute: " + warned);
            assertTrue(warned.get(0).matches(".*cannot reach server 127\\.0\\.0\\.1:" + nobody
                    + ": .*; attempt 1 failed, reconnecting in \\d+ ms \\(backoff up to 30 s\\)"), warned.get(0));
            for (int attempt = 2; attempt <= 5; attempt++) {
                String line = agentLog.await("attempt " + attempt + " failed");
                assertTrue(line.startsWith("DEBUG"), line);
            }
        }
    }
}
