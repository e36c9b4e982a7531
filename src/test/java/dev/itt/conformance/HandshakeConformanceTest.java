package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §4.1 and §4.3, the handshake's sequence and its refusals, against a real server end and real
 * agents (neither holds a token here; §4.2 has its own class). Both ends' handshake timeout is 1 s.
 */
@DisplayName("PROTOCOL.md §4.1, §4.3: handshake")
class HandshakeConformanceTest {
    private static final Map<String, String> KEYS = Map.of("handshake-timeout", "1s");
    /** The increment that raises the default 64 MiB session window from the initial 256 KiB (§4.1). */
    private static final int SESSION_GRANT = 64 * 1024 * 1024 - WireConstants.INITIAL_SESSION_WINDOW;

    private static ServerUnderTest server;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null, KEYS));
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

    private static RawPeer hello(int version, String tunnel, byte[] nonce) throws IOException {
        RawPeer peer = server.connect();
        peer.send(out -> FrameEncoder.writeHello(out, version, tunnel, nonce));
        return peer;
    }

    @Test
    @DisplayName("[4.1-1] The server end MUST NOT send anything before HELLO has arrived.")
    @Requirement("4.1-1")
    void theServerEndSendsNothingBeforeHello() throws IOException {
        RawPeer peer = hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce());
        peer.readUntil(Frame.Challenge.class::isInstance);
        assertInstanceOf(Frame.Challenge.class, peer.frames().get(0), "the first frame: " + peer.frames());
    }

    @Test
    @DisplayName("[4.1-2] The agent MUST send HELLO as its first frame, with version 2, the tunnel name it wants (its name setting, by default the name of its configuration entry) and a nonce of 32 bytes from a cryptographically strong random generator.")
    @Requirement("4.1-2")
    void theAgentSpeaksFirstWithHello() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            assertInstanceOf(Frame.Hello.class, dial.conn.frames().get(0));
            assertEquals(WireConstants.VERSION, dial.hello.version());
            assertEquals(ServerUnderTest.TUNNEL, dial.hello.tunnel());
            assertEquals(WireConstants.NONCE_LENGTH, dial.hello.nonce().length);
        }
    }

    @Test
    @DisplayName("[4.1-3] Each end MUST use a fresh nonce for each connection: no two HELLOs of an agent, and no two CHALLENGEs of a server end, carry the same nonce.")
    @Requirement("4.1-3")
    void eachConnectionGetsFreshNonces() throws Exception {
        byte[] first = ((Frame.Challenge) hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce())
                .readUntil(Frame.Challenge.class::isInstance)).nonce();
        byte[] second = ((Frame.Challenge) hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce())
                .readUntil(Frame.Challenge.class::isInstance)).nonce();
        assertFalse(Arrays.equals(first, second), "the server end sent one nonce twice");
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.conn.close(); // the agent dials again
            try (RawPeer again = dial.redial()) {
                Frame.Hello hello = (Frame.Hello) again.readUntil(Frame.Hello.class::isInstance);
                assertFalse(Arrays.equals(dial.hello.nonce(), hello.nonce()), "the agent sent one nonce twice");
            }
        }
    }

    @Test
    @DisplayName("[4.1-4] Each end, when its session becomes established, MUST then send")
    @Requirement("4.1-4")
    void eachEndGrantsItsSessionWindowAndPingsOnceEstablished() throws Exception {
        RawPeer peer = hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce());
        peer.readUntil(Frame.Challenge.class::isInstance);
        peer.send(out -> FrameEncoder.writeAuth(out, new byte[0]));
        peer.startReading();
        assertEstablishedFrames(peer);
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            assertEstablishedFrames(dial.conn);
        }
    }

    /** After WELCOME (sent or received): the session grant, then a PING without ACK. */
    private static void assertEstablishedFrames(RawPeer peer) {
        Frame.WindowUpdate grant = peer.await(Frame.WindowUpdate.class, w -> w.streamId() == 0);
        Frame.Ping ping = peer.await(Frame.Ping.class, p -> !p.ack());
        assertEquals(SESSION_GRANT, grant.increment());
        List<Frame> frames = peer.frames();
        int welcome = frames.indexOf(new Frame.Welcome());
        assertTrue(welcome < frames.indexOf(grant) && frames.indexOf(grant) < frames.indexOf(ping),
                "WELCOME, then the grant, then the PING: " + frames);
    }

    @Test
    @DisplayName("[4.1-5] An end MUST treat a handshake frame out of order as a PROTOCOL_ERROR.")
    @Requirement("4.1-5")
    void aHandshakeFrameOutOfOrderIsAProtocolError() throws IOException {
        RawPeer peer = server.connect();
        peer.send(out -> FrameEncoder.writeAuth(out, new byte[0])); // before HELLO
        peer.startReading();
        Frame.GoAway goAway = Expect.refused(peer, ErrorCode.PROTOCOL_ERROR);
        assertTrue(goAway.reason().contains("AUTH"), goAway.reason());
    }

    @Test
    @DisplayName("[4.1-6] An end MUST treat a handshake frame sent by the wrong end as a PROTOCOL_ERROR.")
    @Requirement("4.1-6")
    void aHandshakeFrameFromTheWrongEndIsAProtocolError() throws Exception {
        RawPeer peer = hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce());
        peer.readUntil(Frame.Challenge.class::isInstance);
        peer.send(FrameEncoder::writeWelcome); // the server end's frame, where AUTH belongs
        peer.startReading();
        Expect.refused(peer, ErrorCode.PROTOCOL_ERROR);
        assertTrue(Expect.of(peer, Frame.Welcome.class).isEmpty());
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.conn.send(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, ServerUnderTest.TUNNEL,
                    RawPeer.nonce())); // the agent's frame, where CHALLENGE belongs
            dial.conn.startReading();
            Expect.refused(dial.conn, ErrorCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[4.1-7] An end MUST treat a handshake frame sent after the handshake as a PROTOCOL_ERROR.")
    @Requirement("4.1-7")
    void aHandshakeFrameAfterTheHandshakeIsAProtocolError() throws IOException {
        RawPeer peer = server.agent();
        peer.send(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce()));
        Frame.GoAway goAway = Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR);
        assertTrue(goAway.reason().contains("after the handshake"), goAway.reason());
    }

    @Test
    @DisplayName("[4.1-8] Before its end of the session is established, an end MUST reject DATA, WINDOW_UPDATE, OPEN, OPEN_OK, OPEN_FAILED, FIN, RESET and PING as PROTOCOL_ERROR (\"… before the handshake completed\"); an agent therefore dials no upstream for an OPEN that comes before WELCOME.")
    @Requirement("4.1-8")
    void streamAndSessionFramesBeforeEstablishmentAreProtocolErrors() throws Exception {
        RawPeer peer = server.connect();
        peer.send(out -> FrameEncoder.writePing(out, false, 1));
        peer.startReading();
        Frame.GoAway goAway = Expect.refused(peer, ErrorCode.PROTOCOL_ERROR);
        assertTrue(goAway.reason().contains("before the handshake completed"), goAway.reason());
        assertTrue(Expect.of(peer, Frame.Ping.class).isEmpty(), "the PING was answered");

        int dialsBefore = agents.echo.accepted();
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.challenge(RawPeer.nonce(), new byte[0]);
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1)); // before WELCOME
            dial.conn.startReading();
            Expect.refused(dial.conn, ErrorCode.PROTOCOL_ERROR);
            assertTrue(Expect.of(dial.conn, Frame.OpenOk.class).isEmpty());
        }
        assertEquals(dialsBefore, agents.echo.accepted(), "the agent dialed its upstream for an OPEN before WELCOME");
    }

    @Test
    @DisplayName("[4.1-9] Both ends MUST enforce the handshake timeout: a server end whose agent stops after HELLO, and an agent whose server end never sends CHALLENGE or WELCOME, both give up with HANDSHAKE_TIMEOUT.")
    @Requirement("4.1-9")
    void bothEndsGiveUpWithHandshakeTimeout() throws Exception {
        RawPeer silent = server.connect();
        silent.startReading();
        try (AgentUnderTest.Dial dial = agents.dial(KEYS)) {
            dial.conn.startReading(); // and never answers the HELLO
            Expect.refused(silent, ErrorCode.HANDSHAKE_TIMEOUT);
            Expect.refused(dial.conn, ErrorCode.HANDSHAKE_TIMEOUT);
        }
    }

    @Test
    @DisplayName("[4.3-1] An end that refuses the handshake MUST send GO_AWAY with last stream id 0, an error code and a human-readable reason, flush it and close the connection.")
    @Requirement("4.3-1")
    void aRefusalIsAGoAwayWithAReasonThenTheClose() throws Exception {
        RawPeer peer = hello(3, ServerUnderTest.TUNNEL, RawPeer.nonce());
        peer.startReading();
        Expect.refused(peer, ErrorCode.UNSUPPORTED_VERSION);
        try (AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, "a token"),
                agents.echo.address())) {
            dial.conn.send(out -> FrameEncoder.writeChallenge(out, RawPeer.nonce(), new byte[0]));
            dial.conn.startReading();
            Expect.refused(dial.conn, ErrorCode.AUTH_FAILED);
        }
    }

    @Test
    @DisplayName("[4.3-2] The server end MUST refuse a HELLO whose version is not 2 with UNSUPPORTED_VERSION, and checks the version before the name.")
    @Requirement("4.3-2")
    void aVersionOtherThan2IsRefusedBeforeTheNameIsLookedAt() throws IOException {
        RawPeer v1 = hello(1, ServerUnderTest.TUNNEL, new byte[0]); // a version-1 HELLO has no nonce
        v1.startReading();
        Frame.GoAway goAway = Expect.refused(v1, ErrorCode.UNSUPPORTED_VERSION);
        assertTrue(goAway.reason().contains("speaks 2"), goAway.reason());
        RawPeer v3 = hello(3, "not this tunnel", RawPeer.nonce());
        v3.startReading();
        Expect.refused(v3, ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    @DisplayName("[4.3-3] The server end MUST refuse a version-2 HELLO without the agent's nonce with PROTOCOL_ERROR.")
    @Requirement("4.3-3")
    void aVersion2HelloWithoutANonceIsAProtocolError() throws IOException {
        RawPeer peer = hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, new byte[0]);
        peer.startReading();
        Expect.refused(peer, ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[4.3-4] The server end MUST refuse a HELLO whose name is not, byte for byte, the server tunnel's own name with UNKNOWN_TUNNEL.")
    @Requirement("4.3-4")
    void anotherTunnelsNameIsRefusedWithUnknownTunnel() throws IOException {
        RawPeer peer = hello(WireConstants.VERSION, "T", RawPeer.nonce()); // the server tunnel is "t"
        peer.startReading();
        Frame.GoAway goAway = Expect.refused(peer, ErrorCode.UNKNOWN_TUNNEL);
        assertTrue(goAway.reason().contains("'T'"), goAway.reason());
    }

    @Test
    @DisplayName("[4.3-5] The end that receives GO_AWAY during the handshake MUST close the session without answering.")
    @Requirement("4.3-5")
    void aGoAwayDuringTheHandshakeIsNotAnswered() throws Exception {
        RawPeer peer = hello(WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce());
        peer.readUntil(Frame.Challenge.class::isInstance);
        peer.send(out -> FrameEncoder.writeGoAway(out, 0, ErrorCode.AUTH_FAILED, "the agent refuses"));
        peer.startReading();
        Expect.closedWithoutGoAway(peer);
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.conn.send(out -> FrameEncoder.writeGoAway(out, 0, ErrorCode.UNKNOWN_TUNNEL, "not here"));
            dial.conn.startReading();
            Expect.closedWithoutGoAway(dial.conn);
        }
    }
}
