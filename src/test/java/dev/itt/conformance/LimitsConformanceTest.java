package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    @Test
    @DisplayName("[8-3] An agent that has max-pending-opens upstream dials running MUST answer a further OPEN with RESET and REFUSED_STREAM, without dialing.")
    @Requirement("8-3")
    void anAgentAtMaxPendingOpensRefusesTheNextOpenWithoutDialing() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial(Map.of("max-pending-opens", "1"))) {
            dial.establish();
            int dials = agents.echo.accepted();
            dial.conn.send(out -> { // one read: stream 1 is still dialing when OPEN 2 is handled
                FrameEncoder.writeOpen(out, 1);
                FrameEncoder.writeOpen(out, 2);
            });
            dial.conn.await(Frame.Reset.class, r -> r.streamId() == 2 && r.code() == ErrorCode.REFUSED_STREAM);
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            Await.until("stream 1's dial to reach the upstream", TunnelFixture.WAIT,
                    () -> agents.echo.accepted() > dials);
            dial.conn.fence();
            assertEquals(dials + 1, agents.echo.accepted(), "one dial, for stream 1");
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
    @DisplayName("[8-5] An end MUST end the session with ENHANCE_YOUR_CALM when it receives more than max-resets-per-second RESET and OPEN_FAILED frames in a second.")
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
     * every OPEN in one write, half with OPEN_FAILED and half refused, as an agent past its max-pending-opens does.
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
}
