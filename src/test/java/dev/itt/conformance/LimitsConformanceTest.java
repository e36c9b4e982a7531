package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.DelayRelay;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Peers;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/PROTOCOL.md §8, the limits, against a real server end with small ones and real agents. The per-second
 * counters restart on a tick the case does not control, so each flood sends twenty times its limit in one write.
 */
@DisplayName("PROTOCOL.md §8: limits")
class LimitsConformanceTest {
    private static final int PINGS = 5;
    private static final int RESETS = 5;
    private static final int CONTROL_FRAMES = 1000;
    private static ServerUnderTest server;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null, Map.of("max-streams", "2",
                "max-pings-per-second", String.valueOf(PINGS), "max-resets-per-second", String.valueOf(RESETS),
                "max-control-frames-per-second", String.valueOf(CONTROL_FRAMES))));
        agents = new AgentUnderTest();
    }

    @AfterEach
    void cleanUp() throws Exception {
        server.afterEach();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        agents.close();
    }

    @Test
    @DisplayName("[8-1] A server end that has max-streams streams open on every session MUST open no more, and MUST close the new user's connection.")
    @Requirement("8-1")
    void aServerEndAtMaxStreamsOpensNoMore() throws IOException {
        RawPeer peer = server.agent();
        assertEquals(1, server.open(peer).id());
        assertEquals(2, server.open(peer).id());
        Socket third = server.user();
        Expect.userClosed(third);
        peer.fence();
        assertEquals(2, Expect.of(peer, Frame.Open.class).size(), "OPENs: " + peer.frames());
    }

    @Test
    @DisplayName("[8-2] An agent that holds max-streams streams MUST answer a further OPEN with RESET and REFUSED_STREAM, without dialing.")
    @Requirement("8-2")
    void anAgentAtMaxStreamsRefusesTheNextOpenWithoutDialing() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial(Map.of("max-streams", "1"))) {
            dial.establish();
            int before = agents.echo.accepted();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            // OPEN_OK follows the agent's connect; the upstream counts its accept a moment later
            Await.until("stream 1's dial to reach the upstream", TunnelFixture.WAIT,
                    () -> agents.echo.accepted() > before);
            int dials = agents.echo.accepted();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 2));
            dial.conn.await(Frame.Reset.class, r -> r.streamId() == 2 && r.code() == ErrorCode.REFUSED_STREAM);
            dial.conn.fence();
            assertEquals(dials, agents.echo.accepted(), "the agent dialed for the refused stream");
        }
    }

    /**
     * The upstream is reached through a real SOCKS5 proxy (microsocks) behind a relay that holds every connection
     * until the case lets it go: each dial runs, unanswered, until then. The OPENs come in one read.
     */
    @Test
    @DisplayName("[8-3] An agent that has max-pending-opens upstream dials running MUST NOT refuse a further OPEN for that reason, and MUST NOT dial its upstream until one of the running dials has ended; the OPENs that wait are dialed in the order they came, and one whose stream is reset while it waits is never dialed.")
    @Requirement("8-3")
    void anAgentAtMaxPendingOpensDialsTheNextOpensInTurn(@TempDir Path dir) throws Exception {
        int socksPort = Await.freePort();
        try (Peers.Process socks = Peers.Process.start(dir.resolve("socks.log"),
                        Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p", String.valueOf(socksPort));
                DelayRelay gate = DelayRelay.held(socksPort)) {
            Await.port(socksPort, Duration.ofSeconds(10));
            try (AgentUnderTest.Dial dial = heldDials(gate, "proxy:" + agents.echo.address(), Map.of())) {
                dial.conn.send(out -> {
                    for (int id = 1; id <= 4; id++) {
                        FrameEncoder.writeOpen(out, id);
                    }
                });
                Await.until("stream 1's dial to reach the proxy", TunnelFixture.WAIT, () -> gate.accepted() == 1);
                dial.conn.send(out -> FrameEncoder.writeReset(out, 3, ErrorCode.CANCEL)); // its user left
                dial.conn.fence();
                dial.conn.fence();
                assertEquals(1, gate.accepted(), "only stream 1 is dialed while its dial runs");
                assertEquals(List.of(), answers(dial.conn), "no OPEN refused or answered while the dial runs");

                gate.release();
                dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 4);
                assertEquals(List.of(new Frame.OpenOk(1), new Frame.OpenOk(2), new Frame.OpenOk(4)),
                        answers(dial.conn), "dialed one at a time, in the order the OPENs came");
                // one dial at a time: had stream 3 been dialed, its dial would have reached the relay before 4's
                assertEquals(3, gate.accepted(), "dials for streams 1, 2 and 4; none for stream 3, reset while waiting");
                Expect.alive(dial.conn);
            }
        }
    }

    @Test
    @DisplayName("[8-4] An end MUST end the session with ENHANCE_YOUR_CALM when it receives more than max-pings-per-second PINGs without ACK in a second.")
    @Requirement("8-4")
    void aPingFloodIsEnhanceYourCalm() throws IOException {
        RawPeer peer = server.agent();
        peer.trySend(out -> {
            for (int i = 0; i < 20 * PINGS; i++) {
                FrameEncoder.writePing(out, false, i);
            }
        });
        Frame.GoAway goAway = Expect.connectionError(peer, ErrorCode.ENHANCE_YOUR_CALM);
        assertTrue(goAway.reason().contains("PINGs"), goAway.reason());
    }

    @Test
    @DisplayName("[8-5] A server end MUST end the session with ENHANCE_YOUR_CALM when it receives more than max-resets-per-second RESET and OPEN_FAILED frames in a second")
    @Requirement("8-5")
    void aResetFloodIsEnhanceYourCalm() throws IOException {
        RawPeer peer = server.agent();
        int id = server.open(peer).id();
        peer.trySend(out -> {
            FrameEncoder.writeOpenFailed(out, id, ErrorCode.CONNECT_REFUSED, "no");
            for (int i = 0; i < 20 * RESETS; i++) {
                FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
            }
        });
        Frame.GoAway goAway = Expect.connectionError(peer, ErrorCode.ENHANCE_YOUR_CALM);
        assertTrue(goAway.reason().contains("stream resets"), goAway.reason());
    }

    @Test
    @DisplayName("[8-6] An end MUST end the session with ENHANCE_YOUR_CALM when it receives more than max-control-frames-per-second frames other than DATA and GO_AWAY in a second.")
    @Requirement("8-6")
    void aControlFrameFloodIsEnhanceYourCalm() throws IOException {
        RawPeer peer = server.agent();
        peer.trySend(out -> {
            for (int i = 0; i < 20 * CONTROL_FRAMES; i++) {
                FrameEncoder.writeWindowUpdate(out, 0, 1);
            }
        });
        Frame.GoAway goAway = Expect.connectionError(peer, ErrorCode.ENHANCE_YOUR_CALM);
        assertTrue(goAway.reason().contains("control frames"), goAway.reason());
    }

    /**
     * Four times the reset limit of users open streams on a server end with room for them all; the agent answers
     * every OPEN in one write, half with OPEN_FAILED and half refused, as an agent past its max-streams does.
     */
    @Test
    @DisplayName("[8-8] A server end MUST NOT count towards max-resets-per-second the agent's answer to an OPEN still waiting for OPEN_OK (OPEN_FAILED, or RESET such as REFUSED_STREAM)")
    @Requirement("8-8")
    void answersToOpensAreNoResetFlood() throws Exception {
        int users = 4 * RESETS;
        try (ServerUnderTest roomy = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null,
                Map.of("max-streams", String.valueOf(users), "max-resets-per-second", String.valueOf(RESETS))))) {
            RawPeer peer = roomy.agent();
            List<ServerUnderTest.Stream> streams = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                streams.add(roomy.open(peer));
            }
            peer.trySend(out -> {
                for (int i = 0; i < users; i++) {
                    int id = streams.get(i).id();
                    if (i % 2 == 0) {
                        FrameEncoder.writeOpenFailed(out, id, ErrorCode.CONNECT_REFUSED, "no");
                    } else {
                        FrameEncoder.writeReset(out, id, ErrorCode.REFUSED_STREAM);
                    }
                }
            });
            for (ServerUnderTest.Stream s : streams) {
                Expect.userClosed(s.user());
            }
            Expect.alive(peer);
            roomy.afterEach();
        }
    }

    /**
     * An agent with max-pending-opens 1 whose upstream dial is held (a relay that never lets it through, in front of
     * nothing): one stream dials, the others wait; then the server end resets them all in one write, four times the
     * agent's reset limit.
     */
    @Test
    @DisplayName("[8-9] An agent MUST NOT count towards max-resets-per-second any RESET from the server end; it counts as a control frame ([8-6]).")
    @Requirement("8-9")
    void theServerEndsResetsAreNoResetFlood() throws Exception {
        int users = 4 * RESETS;
        try (DelayRelay gate = DelayRelay.held(9);
                AgentUnderTest.Dial dial = heldDials(gate, "proxy:127.0.0.1:9",
                        Map.of("max-resets-per-second", String.valueOf(RESETS)))) {
            dial.conn.send(out -> {
                for (int id = 1; id <= users; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            Await.until("stream 1's dial to start", TunnelFixture.WAIT, () -> gate.accepted() == 1);
            dial.conn.send(out -> {
                for (int id = 1; id <= users; id++) {
                    FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
                }
            });
            Expect.alive(dial.conn);
            assertEquals(List.of(), answers(dial.conn), "nothing to answer: every stream was reset before its OPEN_OK");
            assertEquals(1, gate.accepted(), "no dial for the streams reset while they waited");
        }
        resetsOfAnsweredStreamsAreNoResetFlood();
    }

    /** The users of streams the agent has answered all leave at once: the server end resets each, in one write. */
    private static void resetsOfAnsweredStreamsAreNoResetFlood() throws Exception {
        int users = 4 * RESETS;
        try (AgentUnderTest.Dial dial = agents.dial(Map.of("max-resets-per-second", String.valueOf(RESETS)))) {
            dial.establish();
            dial.conn.send(out -> {
                for (int id = 1; id <= users; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == users);
            assertEquals(users, Expect.of(dial.conn, Frame.OpenOk.class).size(), "every stream answered OPEN_OK");
            dial.conn.send(out -> {
                for (int id = 1; id <= users; id++) {
                    FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
                }
            });
            Expect.alive(dial.conn);
        }
    }

    /**
     * A peer that sends PINGs and never reads the answers: they pile up until the queue passes the limit. The
     * GO_AWAY then sits behind that queue, so the logged reason is what shows the cause.
     */
    @Test
    @DisplayName("[8-7] An end MUST end the session with ENHANCE_YOUR_CALM when more than max-queued-bytes bytes it wrote are still waiting for the peer to read them as it queues a control frame.")
    @Requirement("8-7")
    void aPeerThatLeavesItsAnswersUnreadIsEnhanceYourCalm() throws Exception {
        long maxQueued = 1024 * 1024;
        try (LogCapture log = LogCapture.start();
                ServerUnderTest lenient = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null,
                        Map.of("max-queued-bytes", String.valueOf(maxQueued), "max-pings-per-second", "1000000000",
                                "max-control-frames-per-second", "1000000000")))) {
            RawPeer peer = lenient.connect(4096);
            peer.handshake(ServerUnderTest.TUNNEL); // the last read it does until the end
            long pings = 0;
            long bound = 64L * 1024 * 1024 / 17; // far past the queue and the kernel's buffers
            while (pings < bound && log.matching("peer does not read").isEmpty()) {
                long from = pings;
                if (!peer.trySend(out -> {
                    for (int i = 0; i < 10_000; i++) {
                        FrameEncoder.writePing(out, false, from + i);
                    }
                })) {
                    break;
                }
                pings += 10_000;
            }
            String line = log.await("peer does not read");
            assertTrue(line.contains("(ENHANCE_YOUR_CALM)"), line);
            peer.startReading();
            peer.awaitClosed();
        }
    }

    /**
     * An established agent with max-pending-opens 1 (and {@code keys}) that dials {@code upstream} through a SOCKS5
     * proxy at {@code gate}, with a connect-timeout no held dial reaches within a case.
     */
    private static AgentUnderTest.Dial heldDials(DelayRelay gate, String upstream, Map<String, String> keys)
            throws IOException {
        Map<String, String> settings = new java.util.HashMap<>(keys);
        settings.put("max-pending-opens", "1");
        AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, null, settings), upstream,
                "socks5://127.0.0.1:" + gate.port(), TunnelFixture.WAIT.multipliedBy(2));
        dial.establish();
        return dial;
    }

    /** What the agent answered to OPENs so far: OPEN_OK, OPEN_FAILED and RESET, in order. */
    private static List<Frame> answers(RawPeer peer) {
        return peer.frames().stream().filter(f -> f instanceof Frame.OpenOk || f instanceof Frame.OpenFailed
                || f instanceof Frame.Reset).toList();
    }
}
