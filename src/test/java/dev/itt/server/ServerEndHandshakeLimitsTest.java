package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.TlsSpec;
import dev.itt.end.Limit;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TestPki;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code max-handshakes} and {@code max-handshakes-per-source} on a real server end: stalled peers are raw sockets
 * on loopback that connect to the tunnel port and send nothing (or half a HELLO); 127.0.0.2, 127.0.0.3, ... are
 * sources of their own. A peer past a cap is closed before the server end reads a byte, so it gets no frame at all;
 * a peer within the caps can still finish its handshake, however long it stalled first.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerEndHandshakeLimitsTest {
    /** How soon "at once" must be: far below the handshake timeouts used here, far above a loaded machine's lag. */
    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    private final List<RawPeer> peers = new ArrayList<>();

    private static TunnelFixture server(Map<String, String> access, String handshakeTimeout) {
        return new TunnelFixture()
                .session(TestConfigs.session("t", null, Map.of("handshake-timeout", handshakeTimeout)))
                .access(TestConfigs.access(access)).startServer();
    }

    /** A peer from {@code from} that connects and then sends nothing. */
    private RawPeer stalled(TunnelFixture t, String from) throws IOException {
        RawPeer p = RawPeer.connect(from, t.server.tunnelPort(), 0);
        peers.add(p);
        return p;
    }

    /** Whether {@code p} gets through the whole handshake: false if the server end has closed it. */
    private static boolean handshakes(RawPeer p) {
        try {
            p.handshake("t");
            return true;
        } catch (IOException | AssertionError closed) {
            return false;
        }
    }

    /** The server end closed {@code p} before reading from it: no frame came, not even a GO_AWAY. */
    private static void assertClosedAtOnce(RawPeer p, String what) {
        p.startReading();
        Await.until(what + " to be closed", AT_ONCE, p::ended);
        assertEquals(List.of(), p.frames(), what + " was closed before any frame: nothing was read from it");
    }

    @Test
    void aPeerPastMaxHandshakesPerSourceIsClosedAtOnceCountedAndLogged() throws Exception {
        try (LogCapture log = LogCapture.start(); TunnelFixture t = server(Map.of("max-handshakes-per-source", "3"),
                "30s")) {
            List<RawPeer> three = List.of(stalled(t, "127.0.0.2"), stalled(t, "127.0.0.2"), stalled(t, "127.0.0.2"));
            RawPeer fourth = stalled(t, "127.0.0.2");
            assertClosedAtOnce(fourth, "the fourth stalled peer from 127.0.0.2");
            assertEquals(1, t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE));
            assertEquals(0, t.server.limitHits().count(Limit.MAX_HANDSHAKES));
            String line = log.await("refused: 127.0.0.2 has max-handshakes-per-source 3");
            assertTrue(line.startsWith("WARN") && line.contains("tunnel t: agent 127.0.0.2:"), line);

            assertTrue(handshakes(stalled(t, "127.0.0.3")), "127.0.0.3 has its own count");
            for (RawPeer p : three) {
                assertTrue(handshakes(p), "each of the three admitted stalled peers may still finish its handshake");
            }
            Await.until("four agents", TunnelFixture.WAIT, () -> t.server.stats().agents() == 4);
            assertEquals(1, t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE), "refused once, only");
        }
    }

    @Test
    void maxHandshakesCountsEverySourceTogether() throws Exception {
        try (TunnelFixture t = server(Map.of("max-handshakes", "4", "max-handshakes-per-source", "2"), "30s")) {
            List<RawPeer> four = List.of(stalled(t, "127.0.0.2"), stalled(t, "127.0.0.2"), stalled(t, "127.0.0.3"),
                    stalled(t, "127.0.0.3"));
            assertClosedAtOnce(stalled(t, "127.0.0.4"), "a first peer from 127.0.0.4 while four are in the handshake");
            assertEquals(1, t.server.limitHits().count(Limit.MAX_HANDSHAKES));
            assertEquals(0, t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE));

            four.get(0).close(); // leaves the count once the server end hears of the close
            Await.until("a peer from 127.0.0.4 to be admitted after one stalled peer left", TunnelFixture.WAIT,
                    () -> {
                        try {
                            return handshakes(stalled(t, "127.0.0.4"));
                        } catch (IOException e) {
                            return false;
                        }
                    });
            for (RawPeer p : four.subList(1, 4)) {
                assertTrue(handshakes(p), "the other stalled peers were never disturbed");
            }
        }
    }

    /**
     * Handshakes are off the accept path: seven peers stall in theirs, some silent, some in the middle of a HELLO
     * frame, and a real agent from the same address connects, and a user is served through it, while all seven are
     * still waiting for their handshake timeout.
     */
    @Test
    void stalledHandshakesDoNotDelayARealAgent() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = server(Map.of(), "20s")) {
            long start = System.nanoTime();
            ByteBuf hello = Unpooled.buffer();
            FrameEncoder.writeHello(hello, WireConstants.VERSION, "t", RawPeer.nonce());
            byte[] halfHello = new byte[hello.readableBytes() / 2];
            hello.readBytes(halfHello);
            hello.release();
            List<RawPeer> seven = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                RawPeer p = stalled(t, "127.0.0.1");
                if (i % 2 == 0) {
                    p.send(out -> out.writeBytes(halfHello));
                }
                p.startReading();
                seven.add(p);
            }
            AgentEnd agent = t.startAgent(echo.address());
            Await.until("the real agent to connect", AT_ONCE, agent::isReady);
            try (Socket user = Users.connect(t.userPort())) {
                user.setSoTimeout((int) AT_ONCE.toMillis());
                user.getOutputStream().write(new byte[] {4, 5, 6});
                InputStream in = user.getInputStream();
                assertEquals(List.of(4, 5, 6), List.of(in.read(), in.read(), in.read()), "the user is served");
            }
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            for (RawPeer p : seven) {
                assertFalse(p.ended(), "every stalled peer is still waiting: its handshake timeout has not come");
            }
            assertTrue(tookMillis < 10_000, "served " + tookMillis + " ms after the stalls began, well before the"
                    + " 20 s handshake timeout");
            assertEquals(0, t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE));
        }
    }

    /**
     * The slots of stalled peers are free again once their handshake timeout (1 s here) has cut them; and an
     * established agent does not count, so agents beyond the per-source cap may be connected at once.
     */
    @Test
    void slotsAreFreeAgainOnceTheStalledPeersTimedOut() throws Exception {
        try (TunnelFixture t = server(Map.of("max-handshakes-per-source", "2"), "1s")) {
            List<RawPeer> two = List.of(stalled(t, "127.0.0.2"), stalled(t, "127.0.0.2"));
            assertClosedAtOnce(stalled(t, "127.0.0.2"), "a third stalled peer from 127.0.0.2");
            for (RawPeer p : two) {
                p.startReading();
                assertEquals(ErrorCode.HANDSHAKE_TIMEOUT, p.awaitGoAway().code());
                p.awaitClosed();
            }
            // the peers saw their close a moment before the server end's loop let go of their slots: a first
            // agent may be refused in that moment, and each refusal is counted
            int[] refused = {0};
            Await.until("an agent from 127.0.0.2 to get through", TunnelFixture.WAIT, () -> {
                try {
                    return handshakes(stalled(t, "127.0.0.2")) || refused[0]++ < 0;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            for (int i = 1; i < 3; i++) {
                assertTrue(handshakes(stalled(t, "127.0.0.2")), "agent " + i + " from 127.0.0.2 gets through");
            }
            Await.until("three agents from one source", TunnelFixture.WAIT, () -> t.server.stats().agents() == 3);
            assertEquals(1 + refused[0], t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE),
                    "the third stall, and the " + refused[0] + " agent(s) that came before the slots were free");
            assertTrue(refused[0] <= 1, refused[0] + " agents refused after both stalled peers had been cut");
        }
    }

    /**
     * With TLS on the tunnel port the caps count from the end of the TLS handshake: a peer that stalls in the TLS
     * handshake takes no slot, even with {@code max-handshakes-per-source} 1, and is cut by the TLS handshake
     * timeout, which is {@code handshake-timeout} (2 s here).
     */
    @Test
    void aPeerStalledInTheTlsHandshakeTakesNoSlotAndIsCutAtTheHandshakeTimeout(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Ca ca = pki.ca("itt-test-ca");
        TestPki.Issued cert = pki.issue(ca, "server", "IP:127.0.0.1");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = new TunnelFixture()
                        .session(TestConfigs.session("t", null, Map.of("handshake-timeout", "2s")))
                        .access(TestConfigs.access(Map.of("max-handshakes-per-source", "1")))
                        .serverTls(new TlsSpec.Server(cert.cert(), cert.key(), null, TestConfigs.TLS_ENGINE))
                        .startServer()) {
            long start = System.nanoTime();
            RawPeer silent = stalled(t, "127.0.0.1"); // never sends a ClientHello
            silent.startReading();
            t.agentTls(new TlsSpec.Agent(ca.cert(), null, null, "127.0.0.1", TestConfigs.TLS_ENGINE))
                    .connectedAgent(echo.address());
            assertFalse(silent.ended(), "the agent got through while the silent peer was still in its TLS handshake");
            silent.awaitClosed();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis >= 1_900, "cut by the TLS handshake timeout, after " + tookMillis + " ms");
            assertEquals(0, t.server.limitHits().count(Limit.MAX_HANDSHAKES_PER_SOURCE));
            assertEquals(List.of(), log.matching("closing session"), "it never had a session to close");
        }
    }

    @org.junit.jupiter.api.AfterEach
    void closePeers() throws IOException {
        for (RawPeer p : peers) {
            p.close();
        }
    }
}
