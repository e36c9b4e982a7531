package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The access line of a real server end, with a real agent and upstream on loopback and users as JDK sockets: one
 * INFO line under {@code dev.itt.access} per user connection as it ends, with its exact byte counts each way, how
 * long it lasted and how it ended.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessLogTest {
    private static final Pattern LINE = Pattern.compile("INFO dev\\.itt\\.access: tunnel=t(?: stream=(\\d+))?"
            + " source=127\\.0\\.0\\.1:\\d+ up=(\\d+) down=(\\d+) duration_ms=(\\d+) end=([a-z-]+)(?: reason=\"(.*)\")?");

    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.start(AccessLog.CATEGORY);
    }

    @AfterEach
    void release() {
        log.close();
    }

    /** The one access line, once it is logged, parsed; fails if there is more than one. */
    private Matcher line() {
        String line = log.await(" end=");
        assertEquals(1, log.matching(" end=").size(), "one line per connection: " + log.matching(" end="));
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), line);
        return m;
    }

    private static void assertLine(Matcher m, long up, long down, String end) {
        assertEquals(up, Long.parseLong(m.group(2)), m.group());
        assertEquals(down, Long.parseLong(m.group(3)), m.group());
        assertEquals(end, m.group(5), m.group());
    }

    @Test
    void aConnectionTheUserEndsFirstIsLoggedWithItsExactBytes() throws Exception {
        try (Target digest = Target.tcp(Target.Mode.DIGEST_AFTER_EOF, 0);
                TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(digest.address());
            try (Socket s = Users.connect(t.userPort())) {
                s.getOutputStream().write(new byte[123_457]);
                s.shutdownOutput();
                assertEquals(32 + 123_457, Users.readAll(s.getInputStream()).length);
            }
            Matcher m = line();
            assertLine(m, 123_457, 32 + 123_457, "closed-by-user");
            assertEquals("1", m.group(1), "the stream id, to find the agent's lines for it");
        }
    }

    @Test
    void aConnectionTheUpstreamEndsFirstSaysSo() throws Exception {
        try (Target source = Target.tcp(Target.Mode.SOURCE, 70_000);
                TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(source.address());
            try (Socket s = Users.connect(t.userPort())) {
                assertEquals(70_000, Users.readAll(s.getInputStream()).length);
            }
            assertLine(line(), 0, 70_000, "closed-by-upstream");
        }
    }

    @Test
    void aRefusedUpstreamIsLoggedWithTheAgentsReason() throws Exception {
        try (TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent("127.0.0.1:" + Await.freePort());
            try (Socket s = Users.connect(t.userPort())) {
                assertEquals(-1, readOrReset(s.getInputStream()));
            }
            Matcher m = line();
            assertEquals("upstream-refused", m.group(5), m.group());
            assertTrue(m.group(6).startsWith("CONNECT_REFUSED ") && m.group(6).contains("Connection refused"),
                    m.group());
        }
    }

    @Test
    void aUserNoAgentTakesIsLoggedWithoutAStream() throws Exception {
        try (TunnelFixture t = new TunnelFixture().startServer(); Socket s = Users.connect(t.userPort())) {
            assertEquals(-1, readOrReset(s.getInputStream()));
            Matcher m = line();
            assertLine(m, 0, 0, "no-agent");
            assertEquals(null, m.group(1), "no stream was made");
        }
    }

    @Test
    void anIdleUserClosedByTheEndIsLoggedAsAnIdleTimeoutAfterItsDuration() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().access(TestConfigs.access(Map.of("idle-timeout", "1s")))
                        .startServer()) {
            t.connectedAgent(echo.address());
            try (Socket s = Users.connect(t.userPort())) {
                s.getOutputStream().write(new byte[5]);
                assertEquals(5, s.getInputStream().readNBytes(5).length);
                assertEquals(-1, readOrReset(s.getInputStream()), "closed after a second of nothing");
            }
            Matcher m = line();
            assertLine(m, 5, 5, "idle-timeout");
            assertTrue(Long.parseLong(m.group(4)) >= 1000, "it lasted the idle timeout at least: " + m.group());
        }
    }

    @Test
    void aUserThatResetsItsConnectionIsLoggedAsSuch() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(echo.address());
            Socket s = Users.connect(t.userPort());
            s.getOutputStream().write(new byte[7]);
            assertEquals(7, s.getInputStream().readNBytes(7).length);
            s.setSoLinger(true, 0);
            s.close(); // a reset, not a FIN
            assertLine(line(), 7, 7, "reset-by-user");
        }
    }

    @Test
    void aUserWhoseAgentDiesIsLoggedAsAgentLost() throws Exception {
        // The agent is a raw peer: its connection ends with nothing said first, as a killed process's does (a real
        // agent being stopped would reset its streams, or say GO_AWAY, before its connection closes).
        try (TunnelFixture t = new TunnelFixture().startServer(); RawPeer agent = RawPeer.connect(t.server.tunnelPort())) {
            agent.handshake("t");
            agent.startReading();
            Await.until("the agent's session", TunnelFixture.WAIT, () -> t.server.stats().acceptingAgents() == 1);
            try (Socket s = Users.connect(t.userPort())) {
                s.getOutputStream().write(new byte[3]);
                int id = agent.await(Frame.Open.class, o -> true).streamId();
                agent.send(out -> FrameEncoder.writeOpenOk(out, id));
                agent.await(Frame.Data.class, d -> d.streamId() == id);
                agent.close();
                assertEquals(-1, readOrReset(s.getInputStream()));
            }
            Matcher m = line();
            assertLine(m, 3, 0, "agent-lost");
            assertTrue(m.group(6).startsWith("SESSION_CLOSED "), m.group());
        }
    }

    @Test
    void aUserCutWhenTheDrainTimeRunsOutIsLoggedAsDrain() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(echo.address());
            try (Socket s = Users.connect(t.userPort())) {
                s.getOutputStream().write(new byte[4]);
                assertEquals(4, s.getInputStream().readNBytes(4).length);
                t.server.stop(); // drains for the fixture's 2 s, then closes what is left
                assertEquals(-1, readOrReset(s.getInputStream()));
            }
            assertLine(line(), 4, 4, "drain");
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
