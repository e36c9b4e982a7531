package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §4.2, authentication, with the proofs computed by {@link Proofs} from the spec alone: a server
 * end that accepts two tokens, one without a token, and agents with and without one.
 */
@DisplayName("PROTOCOL.md §4.2: authentication")
class AuthenticationConformanceTest {
    private static final String TUNNEL = ServerUnderTest.TUNNEL;
    private static final String A = "first token of the server";
    private static final String B = "second token of the server";
    private static ServerUnderTest withTokens;
    private static ServerUnderTest open;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        withTokens = ServerUnderTest.start(TestConfigs.accepting(TUNNEL, List.of(A, B)));
        open = ServerUnderTest.start(TestConfigs.session(TUNNEL, null));
        agents = new AgentUnderTest();
    }

    @AfterEach
    void cleanUp() throws Exception {
        withTokens.afterEach();
        open.afterEach();
    }

    @AfterAll
    static void stop() throws Exception {
        withTokens.close();
        open.close();
        agents.close();
    }

    /** A HELLO with {@code agentNonce} to {@code server}; returns its CHALLENGE, read on the caller's thread. */
    private static Frame.Challenge challenge(RawPeer peer, byte[] agentNonce) throws IOException {
        peer.send(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, TUNNEL, agentNonce));
        return (Frame.Challenge) peer.readUntil(Frame.Challenge.class::isInstance);
    }

    /** HELLO, then an AUTH of what {@code proof} makes of the CHALLENGE; the peer then reads on its own thread. */
    private static RawPeer authenticate(ServerUnderTest server, java.util.function.BiFunction<byte[], Frame.Challenge,
            byte[]> proof) throws IOException {
        RawPeer peer = server.connect();
        byte[] agentNonce = RawPeer.nonce();
        Frame.Challenge c = challenge(peer, agentNonce);
        byte[] mac = proof.apply(agentNonce, c);
        peer.send(out -> FrameEncoder.writeAuth(out, mac));
        peer.startReading();
        return peer;
    }

    @Test
    @DisplayName("[4.2-1] The server end MUST send one server proof per token it accepts, in CHALLENGE, each computed as above, and none when it has no token.")
    @Requirement("4.2-1")
    void theServerEndProvesEachTokenItAccepts() throws IOException {
        // the spec's worked example first, so that the proofs below are the spec's and not only ours
        HexFormat hex = HexFormat.of();
        byte[] key = Proofs.key("correct horse", "docker");
        assertEquals("101a173a7b35b3a1a3c32fcdbc9e881ba07adb67961cd2a8edc8cbd0cfad812a", hex.formatHex(key));
        byte[] agentNonce = new byte[32];
        byte[] serverNonce = new byte[32];
        for (int i = 0; i < 32; i++) {
            agentNonce[i] = (byte) i;
            serverNonce[i] = (byte) (32 + i);
        }
        assertEquals("9e34c4c9d97ba4eed428bd0d61207ccedc0f59941fed5ae0a0fdca8cd543c1c9",
                hex.formatHex(Proofs.serverProof(key, "docker", agentNonce, serverNonce)));

        byte[] nonce = RawPeer.nonce();
        Frame.Challenge c = challenge(withTokens.connect(), nonce);
        assertArrayEquals(Proofs.concat(Proofs.serverProof(Proofs.key(A, TUNNEL), TUNNEL, nonce, c.nonce()),
                Proofs.serverProof(Proofs.key(B, TUNNEL), TUNNEL, nonce, c.nonce())), c.proofs());
        assertEquals(0, challenge(open.connect(), RawPeer.nonce()).proofs().length, "no token, no proof");
    }

    @Test
    @DisplayName("[4.2-2] An agent that holds a token MUST NOT send AUTH unless a server proof in CHALLENGE matches its key; it refuses the server end with AUTH_FAILED, whether CHALLENGE carries no proof or only proofs that do not match.")
    @Requirement("4.2-2")
    void anAgentWithATokenProvesNothingToAServerEndThatDidNotProveIt() throws Exception {
        var holding = TestConfigs.session(TUNNEL, A);
        try (AgentUnderTest.Dial dial = agents.dial(holding, agents.echo.address())) {
            dial.conn.send(out -> FrameEncoder.writeChallenge(out, RawPeer.nonce(), new byte[0]));
            dial.conn.startReading();
            Frame.GoAway goAway = Expect.refused(dial.conn, ErrorCode.AUTH_FAILED);
            assertTrue(goAway.reason().contains("lets any agent in"), goAway.reason());
            assertTrue(Expect.of(dial.conn, Frame.Auth.class).isEmpty(), "AUTH sent: " + dial.conn.frames());
        }
        try (AgentUnderTest.Dial dial = agents.dial(holding, agents.echo.address())) {
            byte[] serverNonce = RawPeer.nonce();
            byte[] wrong = Proofs.serverProof(Proofs.key(B, TUNNEL), TUNNEL, dial.hello.nonce(), serverNonce);
            dial.conn.send(out -> FrameEncoder.writeChallenge(out, serverNonce, wrong));
            dial.conn.startReading();
            Frame.GoAway goAway = Expect.refused(dial.conn, ErrorCode.AUTH_FAILED);
            assertTrue(goAway.reason().contains("did not prove"), goAway.reason());
            assertTrue(Expect.of(dial.conn, Frame.Auth.class).isEmpty(), "AUTH sent: " + dial.conn.frames());
        }
    }

    @Test
    @DisplayName("[4.2-3] An agent that holds a token MUST answer a matching server proof with AUTH carrying its agent proof.")
    @Requirement("4.2-3")
    void anAgentAnswersAMatchingProofWithItsOwn() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(TUNNEL, A), agents.echo.address())) {
            byte[] serverNonce = RawPeer.nonce();
            byte[] key = Proofs.key(A, TUNNEL);
            byte[] proofs = Proofs.concat(Proofs.serverProof(Proofs.key(B, TUNNEL), TUNNEL, dial.hello.nonce(),
                    serverNonce), Proofs.serverProof(key, TUNNEL, dial.hello.nonce(), serverNonce));
            Frame.Auth auth = dial.challenge(serverNonce, proofs);
            assertArrayEquals(Proofs.agentProof(key, TUNNEL, dial.hello.nonce(), serverNonce), auth.mac());
        }
    }

    @Test
    @DisplayName("[4.2-4] An agent without a token MUST answer any CHALLENGE with an empty AUTH.")
    @Requirement("4.2-4")
    void anAgentWithoutATokenAnswersWithAnEmptyAuth() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            byte[] someProof = RawPeer.nonce();
            assertEquals(0, dial.challenge(RawPeer.nonce(), someProof).mac().length);
        }
    }

    @Test
    @DisplayName("[4.2-5] A server end that has tokens MUST reject with AUTH_FAILED an AUTH that is not the agent proof of one of its keys for this handshake's nonces: an empty AUTH, a proof for another token, its own server proof sent back, or a proof recorded on another connection.")
    @Requirement("4.2-5")
    void aServerEndWithTokensRejectsEveryAuthButAProofOfOneOfThem() throws IOException {
        byte[] keyA = Proofs.key(A, TUNNEL);
        byte[][] recorded = new byte[1][];
        RawPeer honest = authenticate(withTokens, (n, c) -> recorded[0] = Proofs.agentProof(keyA, TUNNEL, n, c.nonce()));
        honest.await(Frame.Welcome.class, w -> true);
        List<java.util.function.BiFunction<byte[], Frame.Challenge, byte[]>> wrongs = List.of(
                (n, c) -> new byte[0],
                (n, c) -> Proofs.agentProof(Proofs.key("another token", TUNNEL), TUNNEL, n, c.nonce()),
                (n, c) -> java.util.Arrays.copyOf(c.proofs(), WireConstants.MAC_LENGTH), // its own proof, reflected
                (n, c) -> recorded[0]); // a proof from another connection, replayed
        for (var wrong : wrongs) {
            RawPeer peer = authenticate(withTokens, wrong);
            Expect.refused(peer, ErrorCode.AUTH_FAILED);
            assertTrue(Expect.of(peer, Frame.Welcome.class).isEmpty(), "let in: " + peer.frames());
        }
    }

    @Test
    @DisplayName("[4.2-6] A server end that has tokens MUST accept the agent proof of any one of its keys.")
    @Requirement("4.2-6")
    void aServerEndWithTokensAcceptsAProofOfAnyOfThem() throws IOException {
        for (String token : List.of(A, B)) {
            byte[] key = Proofs.key(token, TUNNEL);
            RawPeer peer = authenticate(withTokens, (n, c) -> Proofs.agentProof(key, TUNNEL, n, c.nonce()));
            peer.await(Frame.Welcome.class, w -> true);
        }
    }

    @Test
    @DisplayName("[4.2-7] A server end without a token MUST accept an empty AUTH and a 32-byte one alike.")
    @Requirement("4.2-7")
    void aServerEndWithoutATokenAcceptsAnEmptyAndAFullAuth() throws IOException {
        authenticate(open, (n, c) -> new byte[0]).await(Frame.Welcome.class, w -> true);
        authenticate(open, (n, c) -> RawPeer.nonce()).await(Frame.Welcome.class, w -> true);
    }
}
