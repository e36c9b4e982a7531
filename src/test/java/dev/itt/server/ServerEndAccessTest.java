package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.end.Limit;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may connect to a real server end, with a real agent and echo target behind it, users as JDK sockets on
 * loopback: 127.0.0.1 and 127.0.0.2 are two sources (Linux answers on all of 127/8), ::1 the IPv6 one. A refused
 * user reads EOF (or a reset) at once; an admitted one gets its bytes echoed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerEndAccessTest {

    private static Socket user(String from, String host, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static Socket user(String from, int port) throws IOException {
        return user(from, "127.0.0.1", port);
    }

    /** A round trip through the tunnel: the user was admitted and the stream works. */
    private static boolean echoes(Socket s) throws IOException {
        s.getOutputStream().write(new byte[] {1, 2, 3});
        InputStream in = s.getInputStream();
        byte[] back = in.readNBytes(3);
        return back.length == 3 && back[0] == 1 && back[2] == 3;
    }

    /** The server closed the connection without a byte. */
    private static boolean closedAtOnce(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static TunnelFixture tunnel(Target echo, Map<String, String> keys) {
        TunnelFixture t = new TunnelFixture().access(TestConfigs.access(keys)).startServer();
        t.connectedAgent(echo.address());
        return t;
    }

    @Test
    void aUserOutsideTheAllowListIsClosedAtOnceCountedAndLogged() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = tunnel(echo, Map.of("allow", "127.0.0.1/32,10.0.0.0/8"))) {
            try (Socket in = user("127.0.0.1", t.userPort()); Socket out = user("127.0.0.2", t.userPort())) {
                assertTrue(echoes(in), "127.0.0.1 is in the list");
                assertTrue(closedAtOnce(out), "127.0.0.2 is not");
            }
            assertEquals(1, t.server.limitHits().count(Limit.ALLOW));
            String line = log.await("refused: not in allow");
            assertTrue(line.contains("tunnel t: user 127.0.0.2:"), line);
            assertEquals(1, echo.accepted(), "the refused user never reached the upstream");
        }
    }

    @Test
    void ipv6UsersAreMatchedAgainstIpv6Blocks() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            for (String allow : List.of("::1/128", "fd00::/8")) {
                try (TunnelFixture t = new TunnelFixture().listen("[::1]:0")
                        .access(TestConfigs.access(Map.of("allow", allow))).startServer()) {
                    t.connectedAgent(echo.address());
                    try (Socket s = user("::1", "::1", t.userPort())) {
                        if (allow.equals("::1/128")) {
                            assertTrue(echoes(s), "::1 is in " + allow);
                        } else {
                            assertTrue(closedAtOnce(s), "::1 is not in " + allow);
                        }
                    }
                    assertEquals(allow.equals("::1/128") ? 0 : 1, t.server.limitHits().count(Limit.ALLOW));
                }
            }
        }
    }

    @Test
    void usersBeyondMaxConnectionsAreClosedAtOnceUntilOneLeaves() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = tunnel(echo, Map.of("max-connections", "2"))) {
            Socket first = user("127.0.0.1", t.userPort());
            try (Socket second = user("127.0.0.2", t.userPort())) {
                assertTrue(echoes(first) && echoes(second), "two users fit");
                try (Socket third = user("127.0.0.1", t.userPort())) {
                    assertTrue(closedAtOnce(third), "the third does not");
                }
                assertEquals(1, t.server.limitHits().count(Limit.MAX_CONNECTIONS));
                first.close();
                // the server hears the close on its own time: retry until a third user is taken
                Await.until("a user to be admitted after one left", TunnelFixture.WAIT, () -> {
                    try (Socket again = user("127.0.0.1", t.userPort())) {
                        return echoes(again);
                    } catch (IOException e) {
                        return false;
                    }
                });
                assertTrue(echoes(second), "the second user was never disturbed");
            }
        }
    }

    @Test
    void maxConnectionsPerSourceCountsEachAddressOnItsOwn() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = tunnel(echo, Map.of("max-connections-per-source", "2"))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    open.add(user("127.0.0.1", t.userPort()));
                    assertTrue(echoes(open.get(i)), "user " + i + " from 127.0.0.1 fits");
                }
                try (Socket third = user("127.0.0.1", t.userPort())) {
                    assertTrue(closedAtOnce(third), "a third from 127.0.0.1 does not");
                }
                try (Socket other = user("127.0.0.2", t.userPort())) {
                    assertTrue(echoes(other), "127.0.0.2 has its own count");
                }
                assertEquals(1, t.server.limitHits().count(Limit.MAX_CONNECTIONS_PER_SOURCE));
                assertEquals(0, t.server.limitHits().count(Limit.MAX_CONNECTIONS));
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aUserIdleForIdleTimeoutIsClosedWhileABusyOneStays() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = tunnel(echo, Map.of("idle-timeout", "600ms"))) {
            try (Socket idle = user("127.0.0.1", t.userPort()); Socket busy = user("127.0.0.2", t.userPort())) {
                assertTrue(echoes(idle));
                // the idle user's last byte came back just now: its timeout runs from no later than this
                long start = System.nanoTime();
                assertTrue(echoes(busy));
                // the busy user sends every 100 ms, a sixth of the timeout, until the idle one has been closed
                Thread pinger = new Thread(() -> {
                    try {
                        while (t.server.limitHits().count(Limit.IDLE_TIMEOUT) == 0) {
                            if (!echoes(busy)) {
                                return;
                            }
                            Thread.sleep(100);
                        }
                    } catch (IOException | InterruptedException e) {
                        // the assertion below on busy says what went wrong
                    }
                });
                pinger.start();
                assertEquals(-1, idle.getInputStream().read(), "the idle user is closed");
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                pinger.join(10_000);
                assertTrue(waited >= 550, "not before its time: closed after " + waited + " ms");
                assertTrue(echoes(busy), "the busy user is still connected");
                assertEquals(1, t.server.limitHits().count(Limit.IDLE_TIMEOUT));
                assertTrue(log.await("closed: no bytes either way for idle-timeout").contains("user 127.0.0.1:"));
            }
        }
    }

    @Test
    void manyRefusalsFromOneSourceMakeOneLogLineAndAreAllCounted() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = tunnel(echo, Map.of("allow", "10.0.0.0/8"))) {
            for (int i = 0; i < 30; i++) {
                try (Socket s = user("127.0.0.1", t.userPort())) {
                    assertTrue(closedAtOnce(s));
                }
            }
            Await.until("30 hits", TunnelFixture.WAIT, () -> t.server.limitHits().count(Limit.ALLOW) == 30);
            try (Socket s = user("127.0.0.2", t.userPort())) {
                assertTrue(closedAtOnce(s));
            }
            log.await("user 127.0.0.2:");
            assertEquals(1, log.matching("user 127.0.0.1:").size(), String.join("\n", log.matching("refused")));
            assertEquals(2, log.matching("refused: not in allow").size(), "one line per source");
        }
    }

    @Test
    void anAgentOutsideAgentAllowIsRefusedAndOneInsideServes() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start()) {
            try (TunnelFixture t = new TunnelFixture().access(TestConfigs.access(Map.of("agent-allow", "10.0.0.0/8")))
                    .startServer()) {
                AgentEnd agent = t.startAgent(echo.address());
                String line = log.await("refused: not in agent-allow");
                assertTrue(line.startsWith("WARN") && line.contains("tunnel t: agent 127.0.0.1:"), line);
                assertTrue(t.server.limitHits().count(Limit.AGENT_ALLOW) >= 1);
                assertFalse(agent.isReady(), "the agent has no session");
                assertEquals(0, t.server.stats().agents());
            }
            try (TunnelFixture t = tunnel(echo, Map.of("agent-allow", "127.0.0.0/8,::1"));
                    Socket s = user("127.0.0.1", t.userPort())) {
                assertTrue(echoes(s), "an agent from 127.0.0.1 serves users");
                assertEquals(0, t.server.limitHits().count(Limit.AGENT_ALLOW));
            }
        }
    }
}
