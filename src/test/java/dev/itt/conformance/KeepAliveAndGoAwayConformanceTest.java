package dev.itt.conformance;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §9, keep-alive and go-away. The keep-alive cases share one scene, started first: a raw agent
 * that completes the handshake and then sends nothing, on a server end that pings after 1 s of quiet and gives up
 * after 2 s.
 */
@DisplayName("PROTOCOL.md §9: keep-alive and go-away")
class KeepAliveAndGoAwayConformanceTest {
    private static ServerUnderTest server;
    private static ServerUnderTest impatient;
    private static RawPeer silent;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null));
        impatient = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null,
                Map.of("keep-alive-interval", "1s", "keep-alive-timeout", "2s")));
        silent = impatient.agent();
        agents = new AgentUnderTest();
    }

    @AfterEach
    void cleanUp() throws Exception {
        server.afterEach();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        impatient.close();
        agents.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }

    @Test
    @DisplayName("[9.1-1] An end MUST then send GO_AWAY with KEEPALIVE_TIMEOUT (no frame from the peer for … ms) and close the connection")
    @Requirement("9.1-1")
    void aSilentPeerIsCutWithKeepAliveTimeout() {
        Frame.GoAway goAway = Expect.connectionError(silent, ErrorCode.KEEPALIVE_TIMEOUT);
        assertTrue(goAway.reason().contains("no frame from the peer"), goAway.reason());
    }

    @Test
    @DisplayName("[9.1-2] An end MUST NOT have more than one PING of its own outstanding.")
    @Requirement("9.1-2")
    void anEndHasOnePingOfItsOwnOutstandingAtMost() {
        silent.awaitClosed(); // two ticks past the interval, and the first PING never answered
        assertEquals(1, Expect.of(silent, Frame.Ping.class).stream().filter(p -> !p.ack()).count(),
                "PINGs: " + silent.frames());
    }

    @Test
    @DisplayName("[9.1-3] An end MUST NOT answer a PING with ACK; any ACK that matches nothing is ignored.")
    @Requirement("9.1-3")
    void aPingAckIsNotAnswered() throws IOException {
        RawPeer peer = server.agent();
        peer.send(out -> FrameEncoder.writePing(out, true, 0xACCL));
        peer.fence();
        assertTrue(Expect.of(peer, Frame.Ping.class).stream().noneMatch(p -> p.payload() == 0xACCL),
                "the ACK was answered: " + peer.frames());
    }

    @Test
    @DisplayName("[9.1-4] An end MUST answer every PING without ACK at once, within the limit of §8, with a PING with ACK and the same 8 payload bytes, treated as opaque and echoed unchanged.")
    @Requirement("9.1-4")
    void everyPingIsAnsweredWithItsOwnBytes() throws Exception {
        RawPeer peer = server.agent();
        for (long payload : new long[] {0x0123456789ABCDEFL, -2L, 0L}) {
            peer.send(out -> FrameEncoder.writePing(out, false, payload));
            peer.await(Frame.Ping.class, p -> p.ack() && p.payload() == payload);
        }
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writePing(out, false, 0xFEEDL));
            dial.conn.await(Frame.Ping.class, p -> p.ack() && p.payload() == 0xFEEDL);
        }
    }

    @Test
    @DisplayName("[9.2-1] A server end that has sent GO_AWAY MUST NOT open new streams on that session.")
    @Requirement("9.2-1")
    void aServerEndThatSentGoAwayOpensNoStream() throws Exception {
        try (ServerUnderTest stopping = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null))) {
            RawPeer peer = stopping.agent();
            ServerUnderTest.Stream s = stopping.open(peer);
            Future<Void> stopped = stopping.fixture.server.stop(); // drains: the open stream may finish
            Frame.GoAway goAway = peer.await(Frame.GoAway.class, g -> true);
            assertEquals(ErrorCode.NO_ERROR, goAway.code());
            Expect.userClosed(stopping.user());
            peer.fence();
            assertEquals(1, Expect.of(peer, Frame.Open.class).size(), "OPEN after GO_AWAY: " + peer.frames());
            peer.send(out -> FrameEncoder.writeReset(out, s.id(), ErrorCode.CANCEL));
            TunnelFixture.join(stopped);
        }
    }

    @Test
    @DisplayName("[9.2-2] An agent that has sent GO_AWAY MUST answer with RESET and REFUSED_STREAM any OPEN that was already on its way.")
    @Requirement("9.2-2")
    void anAgentThatSentGoAwayRefusesOpens() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            Future<Void> stopped = dial.agent.stop();
            assertEquals(ErrorCode.NO_ERROR, dial.conn.awaitGoAway().code());
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 2));
            dial.conn.await(Frame.Reset.class, r -> r.streamId() == 2 && r.code() == ErrorCode.REFUSED_STREAM);
            dial.conn.send(out -> FrameEncoder.writeReset(out, 1, ErrorCode.CANCEL));
            TunnelFixture.join(stopped);
        }
    }

    @Test
    @DisplayName("[9.2-3] After a graceful GO_AWAY, either way, existing streams MUST go on in both directions, and half-closes and resets still work.")
    @Requirement("9.2-3")
    void streamsGoOnAfterAGracefulGoAway() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            Future<Void> stopped = dial.agent.stop();
            dial.conn.awaitGoAway();
            byte[] hello = ascii("after the GO_AWAY");
            dial.conn.send(out -> {
                FrameEncoder.writeDataHeader(out, 1, hello.length);
                out.writeBytes(hello);
                FrameEncoder.writeFin(out, 1);
            });
            dial.conn.await(Frame.Fin.class, f -> f.streamId() == 1); // the echo ends its side after ours
            assertArrayEquals(hello, Expect.data(dial.conn, 1));
            TunnelFixture.join(stopped);
        }
    }

    @Test
    @DisplayName("[9.2-4] A server end that has received GO_AWAY MUST NOT open new streams on that session (it sends new users to another agent, if it has one), and lets its existing streams finish.")
    @Requirement("9.2-4")
    void aServerEndThatReceivedGoAwayOpensNoStream() throws IOException {
        RawPeer peer = server.agent();
        server.open(peer);
        peer.send(out -> FrameEncoder.writeGoAway(out, 1, ErrorCode.NO_ERROR, "agent shutting down"));
        Expect.userClosed(server.user()); // no other agent to take it
        Expect.alive(peer);
        assertEquals(1, Expect.of(peer, Frame.Open.class).size(), "OPEN after GO_AWAY: " + peer.frames());
    }

    @Test
    @DisplayName("[9.2-5] After GO_AWAY, either way, each end MUST close the connection when its last stream has ended.")
    @Requirement("9.2-5")
    void theConnectionClosesWhenTheLastStreamEndsAfterGoAway() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeGoAway(out, 1, ErrorCode.NO_ERROR, "agent shutting down"));
        Expect.alive(peer);
        peer.send(out -> FrameEncoder.writeReset(out, s.id(), ErrorCode.CANCEL));
        peer.awaitClosed();
    }

    @Test
    @DisplayName("[9.2-6] The receiver of a GO_AWAY with an error code MUST end the session at once, without answering with a GO_AWAY of its own.")
    @Requirement("9.2-6")
    void aGoAwayWithAnErrorEndsTheSessionWithoutAnAnswer() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeGoAway(out, 1, ErrorCode.PROTOCOL_ERROR, "the agent saw a bad frame"));
        Expect.closedWithoutGoAway(peer);
        Expect.userClosed(s.user());
    }

    @Test
    @DisplayName("[9.2-7] An agent MUST send the highest OPEN id it has seen as the last stream id of its GO_AWAY, and a server end, which receives no OPENs, MUST send 0.")
    @Requirement("9.2-7")
    void theLastStreamIdIsTheHighestOpenReceived() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> {
                FrameEncoder.writeOpen(out, 1);
                FrameEncoder.writeOpen(out, 3);
            });
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 3);
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 2)); // not above 3: a connection error
            assertEquals(3, Expect.connectionError(dial.conn, ErrorCode.PROTOCOL_ERROR).lastStreamId());
        }
        RawPeer peer = server.agent();
        server.open(peer);
        peer.send(out -> FrameEncoder.writeOpen(out, 7)); // an agent may not open: a connection error
        assertEquals(0, Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR).lastStreamId());
    }

    @Test
    @DisplayName("[9.2-8] However a session ends (GO_AWAY, a connection error, an expired timer, or a connection closed or lost without GO_AWAY), an end MUST drop every stream it still has at once, closing their local sockets.")
    @Requirement("9.2-8")
    void aLostConnectionClosesEveryStreamsSocket() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream a = server.open(peer);
        ServerUnderTest.Stream b = server.open(peer);
        peer.send(out -> FrameEncoder.writeOpenOk(out, a.id()));
        peer.close(); // no GO_AWAY, no RESET
        Expect.userClosed(a.user());
        Expect.userClosed(b.user());
        Await.until("the server end to count no agent", TunnelFixture.WAIT,
                () -> server.fixture.server.stats().agents() == 0);
    }
}
