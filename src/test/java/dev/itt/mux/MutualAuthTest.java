package dev.itt.mux;

import static dev.itt.mux.SessionHandshakeTest.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.FrameDecoder;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §4.2, played frame by frame as an attacker would: the server end proves the token before the agent
 * proves anything, proofs answer only their own nonces and their own direction, and the spec's worked example.
 */
class MutualAuthTest {
    private static final String TOKEN = "s3cret";
    private final SessionHandshakeTest.CapturingTransport wire = new SessionHandshakeTest.CapturingTransport();

    @AfterEach
    void release() {
        wire.written.forEach(b -> b.release(b.refCnt()));
    }

    /** Everything the session under test wrote, decoded. */
    private List<Frame> written() throws MuxException {
        FrameCollector frames = new FrameCollector();
        FrameDecoder decoder = new FrameDecoder();
        for (ByteBuf b : wire.written) {
            decoder.decode(b.retainedDuplicate(), frames);
        }
        return frames.frames;
    }

    private Session agent(SessionRecorder events, String token) {
        Session agent = new Session(Role.AGENT, wire, TestConfigs.session("docker", token), events,
                Dialect.nativeProtocol());
        agent.start(System.nanoTime());
        return agent;
    }

    private byte[] agentNonce() throws MuxException {
        return ((Frame.Hello) written().get(0)).nonce();
    }

    @Test
    void anImpostorServerGetsNoProofFromTheAgentAndNoStreamOnIt() throws Exception {
        SessionRecorder events = new SessionRecorder();
        Session agent = agent(events, TOKEN);
        // the fake server does not know the token: a random proof, then WELCOME and a stream for the secret
        byte[] guess = Authenticator.nonce();
        ByteBuf attack = Unpooled.buffer();
        FrameEncoder.writeChallenge(attack, Authenticator.nonce(), guess);
        FrameEncoder.writeWelcome(attack);
        FrameEncoder.writeOpen(attack, 1);
        byte[] secret = "GET /secret HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        FrameEncoder.writeDataHeader(attack, 1, secret.length);
        attack.writeBytes(secret);
        agent.onRead(attack);
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
        assertTrue(events.closedReason.contains("did not prove"), events.closedReason);
        assertTrue(events.streams.isEmpty(), "no stream, so no upstream dial");
        assertFalse(written().stream().anyMatch(f -> f instanceof Frame.Auth), "the agent sent no proof: " + written());
        assertTrue(wire.closed);
    }

    @Test
    void aServerThatSendsNoProofIsRefusedByAnAgentHoldingAToken() throws Exception {
        SessionRecorder events = new SessionRecorder();
        Session agent = agent(events, TOKEN);
        agent.onRead(frame(out -> FrameEncoder.writeChallenge(out, Authenticator.nonce(), new byte[0])));
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
        assertTrue(events.closedReason.contains("lets any agent in"), events.closedReason);
        assertFalse(written().stream().anyMatch(f -> f instanceof Frame.Auth));
    }

    @Test
    void anAgentWithoutATokenAnswersAnyServerWithAnEmptyProof() throws Exception {
        SessionRecorder events = new SessionRecorder();
        Session agent = agent(events, null);
        agent.onRead(frame(out -> FrameEncoder.writeChallenge(out, Authenticator.nonce(), new byte[0])));
        agent.onRead(frame(FrameEncoder::writeWelcome));
        assertTrue(agent.isEstablished());
        assertTrue(written().contains(new Frame.Auth(new byte[0])), written().toString());
    }

    @Test
    void aServerProofRecordedForOneAgentNonceDoesNotConvinceAnother() throws Exception {
        AuthKey key = AuthKey.derive(TOKEN, "docker");
        byte[] serverNonce = Authenticator.nonce();
        byte[] recorded = Authenticator.serverProof(key, "docker", Authenticator.nonce(), serverNonce);
        SessionRecorder events = new SessionRecorder();
        Session agent = agent(events, TOKEN);
        agent.onRead(frame(out -> FrameEncoder.writeChallenge(out, serverNonce, recorded)));
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
        assertFalse(agent.isEstablished());
    }

    @Test
    void theAgentAcceptsTheRightProofAmongSeveralAndProvesItsOwnOverBothNonces() throws Exception {
        AuthKey key = AuthKey.derive(TOKEN, "docker");
        SessionRecorder events = new SessionRecorder();
        Session agent = agent(events, TOKEN);
        byte[] agentNonce = agentNonce();
        byte[] serverNonce = Authenticator.nonce();
        byte[] other = Authenticator.serverProof(AuthKey.derive("other", "docker"), "docker", agentNonce, serverNonce);
        byte[] right = Authenticator.serverProof(key, "docker", agentNonce, serverNonce);
        agent.onRead(frame(out -> FrameEncoder.writeChallenge(out, serverNonce, concat(other, right))));
        agent.onRead(frame(FrameEncoder::writeWelcome));
        assertTrue(agent.isEstablished(), String.valueOf(events.closedReason));
        byte[] expected = Authenticator.agentProof(key, "docker", agentNonce, serverNonce);
        assertTrue(written().contains(new Frame.Auth(expected)), written().toString());
    }

    @Test
    void theServersOwnProofSentBackAsTheAgentsIsRefused() throws Exception {
        SessionRecorder events = new SessionRecorder();
        Session server = new Session(Role.SERVER, wire, TestConfigs.session("docker", TOKEN), events,
                Dialect.nativeProtocol());
        server.start(System.nanoTime());
        byte[] agentNonce = Authenticator.nonce();
        server.onRead(frame(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "docker", agentNonce)));
        Frame.Challenge challenge = (Frame.Challenge) written().get(0);
        assertEquals(WireConstants.MAC_LENGTH, challenge.proofs().length, "one proof per token");
        server.onRead(frame(out -> FrameEncoder.writeAuth(out, challenge.proofs()))); // reflected
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
        assertFalse(server.isEstablished());
    }

    @Test
    void aVersionOneAgentIsToldWhichVersionTheServerSpeaks() {
        SessionRecorder events = new SessionRecorder();
        Session server = new Session(Role.SERVER, wire, TestConfigs.session("docker", null), events,
                Dialect.nativeProtocol());
        server.start(System.nanoTime());
        server.onRead(frame(out -> FrameEncoder.writeHello(out, 1, "docker", new byte[0])));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, events.closedCode);
        assertTrue(events.closedReason.contains("this server speaks 2"), events.closedReason);
    }

    @Test
    void proofsDependOnDirectionTunnelAndBothNonces() {
        AuthKey key = AuthKey.derive(TOKEN, "docker");
        byte[] a = Authenticator.nonce();
        byte[] s = Authenticator.nonce();
        byte[] proof = Authenticator.serverProof(key, "docker", a, s);
        assertFalse(Authenticator.matches(proof, Authenticator.agentProof(key, "docker", a, s)), "direction");
        assertFalse(Authenticator.matches(proof, Authenticator.serverProof(key, "db", a, s)), "tunnel");
        assertFalse(Authenticator.matches(proof, Authenticator.serverProof(key, "docker", s, a)), "nonce order");
        assertFalse(Authenticator.matches(proof, Authenticator.serverProof(AuthKey.derive(TOKEN, "db"), "docker", a, s)),
                "the key is salted with the tunnel name");
        assertTrue(Authenticator.matches(proof, Authenticator.serverProof(key, "docker", a, s)));
        assertNotEquals(AuthKey.derive(TOKEN, "docker"), AuthKey.derive(TOKEN, "db"));
    }

    /** PROTOCOL.md §4.2, worked example; the figures were computed apart from this code (Python's hashlib). */
    @Test
    void theSpecsWorkedExampleHolds() {
        AuthKey key = AuthKey.derive("correct horse", "docker");
        byte[] agentNonce = range(0);
        byte[] serverNonce = range(32);
        assertEquals("9e34c4c9d97ba4eed428bd0d61207ccedc0f59941fed5ae0a0fdca8cd543c1c9",
                ByteBufUtil.hexDump(Authenticator.serverProof(key, "docker", agentNonce, serverNonce)));
        assertEquals("c1c8b7ccb27a1f208ebb388120cf18d37adc6238887328fd1a23b6fbb4154e54",
                ByteBufUtil.hexDump(Authenticator.agentProof(key, "docker", agentNonce, serverNonce)));
        assertArrayEquals(ByteBufUtil.decodeHexDump("101a173a7b35b3a1a3c32fcdbc9e881ba07adb67961cd2a8edc8cbd0cfad812a"),
                key.bytes());
        assertEquals("AuthKey[****]", key.toString());
    }

    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
