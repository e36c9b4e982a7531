package dev.itt.conformance;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.UserAddresses;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §5 and §6: stream ids, opening, half-close and reset, frames for streams that are gone, and
 * the error codes, against a real server end (users connect to it) and real agents (with real upstreams).
 */
@DisplayName("PROTOCOL.md §5, §6: streams and error codes")
class StreamConformanceTest {
    private static ServerUnderTest server;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null));
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

    private static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }

    private static void data(io.netty.buffer.ByteBuf out, int id, byte[] bytes) {
        FrameEncoder.writeDataHeader(out, id, bytes.length);
        out.writeBytes(bytes);
    }

    @Test
    @DisplayName("[5.1-1] The server end MUST allocate stream ids upward, one per OPEN, and MUST NOT reuse an id within a session.")
    @Requirement("5.1-1")
    void theServerEndOpensIdsUpwardAndNeverReusesOne() throws Exception {
        RawPeer peer = server.agent();
        List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ServerUnderTest.Stream s = server.open(peer);
            ids.add(s.id());
            peer.send(out -> FrameEncoder.writeReset(out, s.id(), ErrorCode.CANCEL)); // gone: its id may not return
            Expect.userClosed(s.user());
        }
        assertEquals(List.of(1, 2, 3), ids);
        server.afterEach();
        RawPeer next = server.agent();
        assertEquals(1, server.open(next).id(), "a new session starts again from 1");
    }

    @Test
    @DisplayName("[5.1-2] the server end MUST treat an OPEN it receives as a PROTOCOL_ERROR.")
    @Requirement("5.1-2")
    void anOpenFromTheAgentIsAProtocolError() throws IOException {
        RawPeer peer = server.agent();
        peer.send(out -> FrameEncoder.writeOpen(out, 2));
        Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[5.1-3] The agent MUST treat an OPEN whose id is not above the highest id it has seen as a PROTOCOL_ERROR, and MUST accept gaps, although this server end never leaves any.")
    @Requirement("5.1-3")
    void anAgentTakesGapsButNoIdThatDoesNotIncrease() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> {
                FrameEncoder.writeOpen(out, 1);
                FrameEncoder.writeOpen(out, 3); // a gap
            });
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 3);
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 3));
            Frame.GoAway goAway = Expect.connectionError(dial.conn, ErrorCode.PROTOCOL_ERROR);
            assertTrue(goAway.reason().contains("not above the last (3)"), goAway.reason());
        }
    }

    @Test
    @DisplayName("[5.2-1] The agent MUST hold what arrives before its upstream is connected, within the stream's window, and deliver it in order (FIN last) once the upstream is connected.")
    @Requirement("5.2-1")
    void theAgentHoldsEarlyDataAndFinUntilItsUpstreamIsConnected() throws Exception {
        try (Target digest = Target.tcp(Target.Mode.DIGEST_AFTER_EOF, 0);
                AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, null),
                        digest.address())) {
            dial.establish();
            byte[] request = ascii("GET / HTTP/1.0\r\n\r\n");
            dial.conn.send(out -> { // all before the upstream can be connected
                FrameEncoder.writeOpen(out, 1);
                data(out, 1, java.util.Arrays.copyOf(request, 5));
                data(out, 1, java.util.Arrays.copyOfRange(request, 5, request.length));
                FrameEncoder.writeFin(out, 1);
            });
            dial.conn.await(Frame.Fin.class, f -> f.streamId() == 1); // the target answers only after the EOF
            byte[] got = Expect.data(dial.conn, 1);
            byte[] digestOfRequest = Target.sha256().digest(request);
            assertArrayEquals(Proofs.concat(digestOfRequest, request), got);
        }
    }

    @Test
    @DisplayName("[5.2-2] When the upstream is connected, the agent MUST send OPEN_OK, and from then on sends the upstream's bytes as DATA.")
    @Requirement("5.2-2")
    void theAgentSendsOpenOkOnceItsUpstreamIsConnectedAndNoDataBefore() throws Exception {
        try (Target source = Target.tcp(Target.Mode.SOURCE, 100_000);
                AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, null),
                        source.address())) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            dial.conn.await(Frame.Fin.class, f -> f.streamId() == 1);
            List<Frame> frames = dial.conn.frames();
            int ok = frames.indexOf(new Frame.OpenOk(1));
            int firstData = -1;
            for (int i = 0; i < frames.size() && firstData < 0; i++) {
                if (frames.get(i) instanceof Frame.Data d && d.streamId() == 1) {
                    firstData = i;
                }
            }
            assertTrue(ok >= 0 && ok < firstData, "OPEN_OK, then DATA: " + frames);
            assertEquals(100_000, Expect.dataBytes(dial.conn, 1));
        }
    }

    @Test
    @DisplayName("[5.2-3] When the dial fails, the agent MUST send OPEN_FAILED with the code of §6 that describes the failure and the error text as the reason.")
    @Requirement("5.2-3")
    void aFailedDialIsAnOpenFailedWithItsCode() throws Exception {
        int closedPort = dev.itt.testing.Await.freePort();
        try (AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, null),
                "127.0.0.1:" + closedPort)) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            Frame.OpenFailed failed = dial.conn.await(Frame.OpenFailed.class, f -> f.streamId() == 1);
            assertEquals(ErrorCode.CONNECT_REFUSED, failed.code(), failed.reason());
            assertFalse(failed.reason().isEmpty());
            assertTrue(Expect.of(dial.conn, Frame.OpenOk.class).isEmpty());
        }
    }

    @Test
    @DisplayName("[5.2-4] On OPEN_FAILED, the server end MUST drop whatever it had queued for the stream and close the user's connection.")
    @Requirement("5.2-4")
    void anOpenFailedClosesTheUsersConnection() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeOpenFailed(out, s.id(), ErrorCode.CONNECT_REFUSED, "refused"));
        assertEquals(0, Expect.userClosed(s.user()).length);
        Expect.alive(peer);
    }

    @Test
    @DisplayName("[5.2-5] The server end MUST treat OPEN_OK or OPEN_FAILED for a stream that is already established (a second OPEN_OK, or OPEN_FAILED after OPEN_OK) as a PROTOCOL_ERROR.")
    @Requirement("5.2-5")
    void aSecondOpenOkIsAProtocolError() throws IOException {
        RawPeer peer = server.agent();
        int id = server.open(peer).id();
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, id);
            FrameEncoder.writeOpenOk(out, id);
        });
        Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR);
        RawPeer other = server.agent();
        int next = server.open(other).id();
        other.send(out -> {
            FrameEncoder.writeOpenOk(out, next);
            FrameEncoder.writeOpenFailed(out, next, ErrorCode.CONNECT_REFUSED, "too late");
        });
        Expect.connectionError(other, ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[5.2-6] The agent MUST treat an OPEN_OK or OPEN_FAILED it receives as a PROTOCOL_ERROR.")
    @Requirement("5.2-6")
    void anOpenOkToTheAgentIsAProtocolError() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            dial.conn.await(Frame.OpenOk.class, o -> o.streamId() == 1);
            dial.conn.send(out -> FrameEncoder.writeOpenOk(out, 1));
            Expect.connectionError(dial.conn, ErrorCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[5.2-7] A server end MUST NOT send an OPEN with a payload on a session whose HELLO did not set ADDRESSES: an agent of an earlier release refuses one as a FRAME_SIZE_ERROR.")
    @Requirement("5.2-7")
    void anAgentThatDidNotAskGetsOpensWithoutAddresses() throws Exception {
        // every HELLO flag this document does not define, and not ADDRESSES: ignored, and nothing in OPEN
        RawPeer peer = server.agentWithHelloFlags(true, 0xFE);
        ServerUnderTest.Stream s = server.open(peer, "127.0.0.2");
        assertEquals(new Frame.Open(s.id()), s.open());
        Expect.alive(peer);
    }

    @Test
    @DisplayName("[5.2-8] On a session whose HELLO set ADDRESSES, a server end MUST send in each OPEN the source and destination addresses of the user's connection (§3), as it accepted it, whenever both are IP addresses.")
    @Requirement("5.2-8")
    void anAgentThatAskedGetsTheUsersAddressesInEveryOpen() throws Exception {
        RawPeer peer = server.agentWithHelloFlags(true, WireConstants.FLAG_ADDRESSES);
        for (String from : List.of("127.0.0.2", "127.0.0.3")) {
            ServerUnderTest.Stream s = server.open(peer, from);
            UserAddresses expected = new UserAddresses((InetSocketAddress) s.user().getLocalSocketAddress(),
                    (InetSocketAddress) s.user().getRemoteSocketAddress());
            assertEquals(new Frame.Open(s.id(), expected), s.open());
        }
    }

    @Test
    @DisplayName("[5.4-1] A sender MUST queue FIN behind every byte already written to the stream, so that FIN leaves only after the last of them, and MUST send no DATA on the stream after it.")
    @Requirement("5.4-1")
    void finLeavesAfterTheLastByteAndNothingFollowsIt() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeOpenOk(out, s.id()));
        byte[] upload = new byte[100_000];
        new java.util.Random(7).nextBytes(upload);
        Expect.write(s.user(), upload);
        s.user().shutdownOutput();
        peer.await(Frame.Fin.class, f -> f.streamId() == s.id());
        peer.fence();
        List<Frame> mine = peer.frames().stream().filter(f -> f instanceof Frame.Data d && d.streamId() == s.id()
                || f instanceof Frame.Fin fin && fin.streamId() == s.id()).toList();
        assertEquals(new Frame.Fin(s.id()), mine.get(mine.size() - 1), "FIN last: " + mine);
        assertArrayEquals(upload, Expect.data(peer, s.id()));
    }

    @Test
    @DisplayName("[5.4-2] A receiver MUST deliver FIN after the last byte too, as an end-of-file on the local socket (TCP shutdown(SHUT_WR)), while the other direction keeps flowing.")
    @Requirement("5.4-2")
    void finIsTheUsersEndOfFileAndTheOtherDirectionFlows() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, s.id());
            data(out, s.id(), ascii("abc"));
            FrameEncoder.writeFin(out, s.id());
        });
        assertArrayEquals(ascii("abc"), Expect.userClosed(s.user()), "the bytes, then end-of-file");
        Expect.write(s.user(), ascii("still flowing"));
        Await.until("the user's bytes after the FIN", TunnelFixture.WAIT,
                () -> Expect.dataBytes(peer, s.id()) >= 13);
        assertArrayEquals(ascii("still flowing"), Expect.data(peer, s.id()));
    }

    @Test
    @DisplayName("[5.4-3] On RESET, a receiver MUST discard the stream's queued data in both directions and close the local socket, and MUST NOT send a reply.")
    @Requirement("5.4-3")
    void aResetClosesTheUsersConnectionAndIsNotAnswered() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, s.id());
            data(out, s.id(), ascii("never delivered, or delivered: either way gone"));
            FrameEncoder.writeReset(out, s.id(), ErrorCode.CANCEL);
        });
        Expect.userClosed(s.user());
        Expect.alive(peer);
        assertTrue(Expect.of(peer, Frame.Reset.class).isEmpty(), "a RESET answered: " + peer.frames());
    }

    @Test
    @DisplayName("[5.4-4] An end that receives DATA or a second FIN on a stream whose peer has sent FIN (state HALF_CLOSED_REMOTE) MUST reset that stream: it sends RESET with PROTOCOL_ERROR and drops the stream, and the session goes on.")
    @Requirement("5.4-4")
    void dataOrASecondFinAfterTheFinResetsOnlyThatStream() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream first = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, first.id());
            FrameEncoder.writeFin(out, first.id());
            data(out, first.id(), ascii("after the FIN"));
        });
        peer.await(Frame.Reset.class, r -> r.streamId() == first.id() && r.code() == ErrorCode.PROTOCOL_ERROR);
        ServerUnderTest.Stream second = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, second.id());
            FrameEncoder.writeFin(out, second.id());
            FrameEncoder.writeFin(out, second.id());
        });
        peer.await(Frame.Reset.class, r -> r.streamId() == second.id() && r.code() == ErrorCode.PROTOCOL_ERROR);
        Expect.alive(peer);
    }

    @Test
    @DisplayName("[5.5-1] an end MUST ignore frames for a stream that existed and is gone.")
    @Requirement("5.5-1")
    void framesForAStreamThatIsGoneAreIgnored() throws IOException {
        RawPeer peer = server.agent();
        int id = server.open(peer).id();
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, id);
            FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
            data(out, id, ascii("late"));
            FrameEncoder.writeWindowUpdate(out, id, 1000);
            FrameEncoder.writeFin(out, id);
            FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
            FrameEncoder.writeOpenFailed(out, id, ErrorCode.CONNECT_REFUSED, "late");
        });
        Expect.alive(peer);
    }

    @Test
    @DisplayName("[5.5-2] An end MUST treat a stream frame (DATA, WINDOW_UPDATE, OPEN_OK, OPEN_FAILED, FIN or RESET) for an id that was never opened as a PROTOCOL_ERROR for the whole connection.")
    @Requirement("5.5-2")
    void aFrameForAStreamNeverOpenedIsAProtocolError() throws IOException {
        List<java.util.function.Consumer<io.netty.buffer.ByteBuf>> frames = List.of(
                out -> data(out, 99, ascii("x")),
                out -> FrameEncoder.writeWindowUpdate(out, 99, 1),
                out -> FrameEncoder.writeOpenOk(out, 99),
                out -> FrameEncoder.writeOpenFailed(out, 99, ErrorCode.CONNECT_REFUSED, "no"),
                out -> FrameEncoder.writeFin(out, 99),
                out -> FrameEncoder.writeReset(out, 99, ErrorCode.CANCEL));
        for (var frame : frames) {
            RawPeer peer = server.agent();
            peer.send(frame);
            Frame.GoAway goAway = Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR);
            assertTrue(goAway.reason().contains("never opened"), goAway.reason());
        }
    }

    @Test
    @DisplayName("[6-1] the end that detects a connection error MUST send GO_AWAY with the code and a reason, then close the connection, leaving every other session of the same end untouched.")
    @Requirement("6-1")
    void aConnectionErrorEndsThatSessionAloneWithAGoAway() throws IOException {
        RawPeer bystander = server.agent();
        RawPeer culprit = server.agent();
        culprit.send(out -> FrameEncoder.writeHeader(out, 0, FrameType.DATA, 0, 1)); // empty DATA
        Expect.connectionError(culprit, ErrorCode.FRAME_SIZE_ERROR);
        Expect.alive(bystander);
    }

    @Test
    @DisplayName("[6-2] An agent that cannot classify a dial failure MUST report CONNECT_FAILED, never a reason it cannot vouch for.")
    @Requirement("6-2")
    void aDialFailureWithoutAClassIsConnectFailed() throws Exception {
        Path missing = Files.createTempDirectory("itt-conformance").resolve("no-such.sock");
        try (AgentUnderTest.Dial dial = agents.dial(TestConfigs.session(ServerUnderTest.TUNNEL, null),
                "unix:" + missing)) {
            dial.establish();
            dial.conn.send(out -> FrameEncoder.writeOpen(out, 1));
            Frame.OpenFailed failed = dial.conn.await(Frame.OpenFailed.class, f -> f.streamId() == 1);
            assertEquals(ErrorCode.CONNECT_FAILED, failed.code(), failed.reason());
        } finally {
            Files.deleteIfExists(missing.getParent());
        }
    }

    @Test
    @DisplayName("[6-3] A receiver MUST read any unassigned value as UNKNOWN, never as an error in itself: a RESET with an unknown code still resets the stream, and a GO_AWAY with one ends the session like any other code other than NO_ERROR.")
    @Requirement("6-3")
    void anUnassignedCodeIsReadAsUnknownNotAsAnError() throws Exception {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, s.id());
            FrameEncoder.writeHeader(out, 4, FrameType.RESET, 0, s.id());
            out.writeInt(14); // unassigned
        });
        Expect.userClosed(s.user());
        Expect.alive(peer);
        server.afterEach(); // the next user's stream must go to the next peer
        RawPeer other = server.agent();
        ServerUnderTest.Stream t = server.open(other);
        other.send(out -> {
            FrameEncoder.writeHeader(out, 8, FrameType.GO_AWAY, 0, 0);
            out.writeInt(0);
            out.writeInt(0x7777); // unassigned: an end like any code but NO_ERROR
        });
        Expect.closedWithoutGoAway(other);
        Expect.userClosed(t.user());
    }
}
