package dev.itt.mux;

import static dev.itt.mux.SessionHandshakeTest.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.TestConfigs;
import dev.itt.wire.Wire;
import dev.itt.wire.Wires;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile or broken peer, played frame by frame against a real session. The two cases with a pair of sessions
 * (a peer that stops reading, a silent peer) stay on the in-memory pipe rather than {@link OverEveryLink}: they
 * need a peer that stops reading at will ({@link PipeTransport#peerReads}), which a loopback socket cannot give.
 */
class SessionDefenceTest {
    private final List<SessionHandshakeTest.CapturingTransport> wires = new ArrayList<>();

    /** A capturing transport whose frames are released after the test, whatever the test released itself. */
    private SessionHandshakeTest.CapturingTransport wire() {
        SessionHandshakeTest.CapturingTransport wire = new SessionHandshakeTest.CapturingTransport();
        wires.add(wire);
        return wire;
    }

    @AfterEach
    void releaseWhatWasWritten() {
        for (SessionHandshakeTest.CapturingTransport w : wires) {
            for (ByteBuf b : w.written) {
                if (b.refCnt() > 0) {
                    b.release(b.refCnt());
                }
            }
        }
    }

    /** An agent session that completed its handshake against a scripted server. */
    private static Session establishedAgent(SessionRecorder events, SessionHandshakeTest.CapturingTransport wire) {
        return establishedAgent(events, wire, TestConfigs.session("t", null));
    }

    private static Session establishedAgent(SessionRecorder events, SessionHandshakeTest.CapturingTransport wire,
            SessionConfig config) {
        Session agent = new Session(Role.AGENT, wire, config, events, Dialect.nativeProtocol());
        agent.start(System.nanoTime());
        agent.onRead(frame(out -> FrameEncoder.writeChallenge(out, new byte[32], new byte[0])));
        agent.onRead(frame(out -> FrameEncoder.writeWelcome(out)));
        assertTrue(agent.isEstablished());
        return agent;
    }

    @Test
    void aPingFloodClosesTheSessionWithEnhanceYourCalm() {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session agent = establishedAgent(events, wire);
        ByteBuf flood = Unpooled.buffer();
        for (int i = 0; i <= 100; i++) {
            FrameEncoder.writePing(flood, false, i);
        }
        agent.onRead(flood);
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, events.closedCode);
    }

    @Test
    void pingsWithinTheLimitAreAnsweredEachSecond() {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session agent = establishedAgent(events, wire);
        for (int second = 0; second < 5; second++) {
            ByteBuf pings = Unpooled.buffer();
            for (int i = 0; i < 100; i++) {
                FrameEncoder.writePing(pings, false, i);
            }
            agent.onRead(pings);
            agent.tick(System.nanoTime());
        }
        assertFalse(agent.isClosed());
    }

    /**
     * PROTOCOL.md [8-9]: at an agent, the server end's RESETs follow its users, so they cost no reset, only a control
     * frame, whether the stream's upstream dial has ended or not.
     */
    @ParameterizedTest(name = "accepted at once: {0}")
    @ValueSource(booleans = {true, false})
    void anAgentCountsTheServerEndsResetsAsControlFramesOnly(boolean acceptedAtOnce) {
        SessionRecorder events = new SessionRecorder();
        events.acceptAtOnce = acceptedAtOnce;
        Session agent = establishedAgent(events, wire());
        agent.onRead(openAndReset(2_001));
        assertNull(events.closedCode, events.closedReason);

        SessionRecorder strict = new SessionRecorder();
        strict.acceptAtOnce = acceptedAtOnce;
        Session counted = establishedAgent(strict, wire(),
                TestConfigs.session("t", null, Map.of("max-control-frames-per-second", "4000")));
        counted.onRead(openAndReset(2_001));
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, strict.closedCode);
        assertTrue(strict.closedReason.contains("control frames"), strict.closedReason);
    }

    /** {@code n} streams, each opened and reset at once. */
    private static ByteBuf openAndReset(int n) {
        ByteBuf attack = Unpooled.buffer();
        for (int id = 1; id <= n; id++) {
            FrameEncoder.writeOpen(attack, id);
            FrameEncoder.writeReset(attack, id, ErrorCode.CANCEL);
        }
        return attack;
    }

    /** Legacy message without payload for the IPv4 user 10.0.x.y:40000, where x.y is {@code user}. */
    private static void writeLegacy(ByteBuf out, int command, int user) {
        out.writeByte(5).writeByte(command).writeByte(0).writeByte(1);
        out.writeInt(0x0a00_0000 | user).writeShort(40_000);
    }

    /** The seed's format, as the wire factory gives it, with the configuration's default payload cap. */
    private static final Wire LEGACY = Wires.of(TestConfigs.wire("legacy"));

    /** Found by SessionFuzzTest: the codec's held bytes were freed under it, then freed again. */
    @Test
    void aFrameThatEndsTheSessionInTheMiddleOfAReadFreesTheHeldBytesOnceAndStopsThere() {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session server = new Session(Role.SERVER, wire, TestConfigs.session("t", null), events,
                Dialect.nativeProtocol());
        server.start(System.nanoTime());
        ByteBuf all = frame(out -> {
            FrameEncoder.writeHello(out, WireConstants.VERSION, "t", new byte[32]);
            FrameEncoder.writeGoAway(out, 0, ErrorCode.AUTH_FAILED, "no");
            FrameEncoder.writeGoAway(out, 0, ErrorCode.NO_ERROR, "after the end");
        });
        server.onRead(all.readRetainedSlice(5)); // a partial HELLO: the codec keeps it
        server.onRead(all); // the rest, the GO_AWAY that ends the handshake, and one frame more
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
        assertNull(events.goAwayCode, "nothing reaches the owner after the close");
        assertTrue(wire.closed);
    }

    private static InetSocketAddress legacyUser(int user) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, (byte) (user >> 8), (byte) user}),
                40_000);
    }

    @Test
    void legacyClosesFromTheServerAreNotCountedAsResets() {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session agent = LEGACY.newSession(Role.AGENT, wire, TestConfigs.session("t", null), events);
        agent.start(System.nanoTime());
        int users = 3_000; // over the native limit of 2000 resets a second, all within one tick
        ByteBuf busySecond = Unpooled.buffer();
        for (int user = 1; user <= users; user++) {
            writeLegacy(busySecond, 1, user); // CONNECT
            writeLegacy(busySecond, 5, user); // CLOSE_NOTIFY: the user's normal end
        }
        agent.onRead(busySecond);
        assertNull(events.closedCode, events.closedReason);
        assertEquals(users, events.streams.size(), "every CONNECT opened a stream");
        assertEquals(0, agent.streamCount(), "and every CLOSE_NOTIFY ended it");
    }

    @Test
    void legacyClosesAndFailureRepliesFromTheAgentAreNotCountedAsResets() throws Exception {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session server = LEGACY.newSession(Role.SERVER, wire, TestConfigs.session("t", null), events);
        server.start(System.nanoTime());
        int users = 3_000;
        ByteBuf busySecond = Unpooled.buffer();
        for (int user = 1; user <= users; user++) {
            assertTrue(LEGACY.open(server, legacyUser(user), null) != null);
            if (user % 2 == 0) {
                writeLegacy(busySecond, 0, user); // SUCCESS
                writeLegacy(busySecond, 254, user); // CONN_CLOSE: the upstream's normal end
            } else {
                writeLegacy(busySecond, 5, user); // CONNECTION_REFUSED
            }
        }
        server.onRead(busySecond);
        assertNull(events.closedCode, events.closedReason);
        assertEquals(0, server.streamCount(), "every close and every failure reply ended its stream");
    }

    @Test
    void aLegacyConnectOverMaxStreamsGetsAFailureReplyNotAClose() {
        SessionRecorder events = new SessionRecorder();
        events.acceptAtOnce = false; // the first dial is still in progress
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session agent = LEGACY.newSession(Role.AGENT, wire,
                TestConfigs.session("t", null, Map.of("max-streams", "1")), events);
        agent.start(System.nanoTime());
        ByteBuf connects = Unpooled.buffer();
        writeLegacy(connects, 1, 1);
        writeLegacy(connects, 1, 2);
        agent.onRead(connects);
        assertEquals(1, events.streams.size());
        assertEquals(1, wire.written.size());
        assertEquals("050100010a0000029c40", ByteBufUtil.hexDump(wire.written.get(0)), "GENERAL_FAILURE for user 2");
    }

    @Test
    void dataBeyondTheWindowIsAFlowControlError() {
        SessionRecorder events = new SessionRecorder();
        events.acceptAtOnce = false;
        Session agent = establishedAgent(events, wire());
        agent.onRead(frame(out -> FrameEncoder.writeOpen(out, 1)));
        ByteBuf overrun = Unpooled.buffer();
        byte[] chunk = new byte[WireConstants.MAX_PAYLOAD];
        for (int sent = 0; sent <= WireConstants.INITIAL_STREAM_WINDOW; sent += chunk.length) {
            FrameEncoder.writeDataHeader(overrun, 1, chunk.length);
            overrun.writeBytes(chunk);
        }
        agent.onRead(overrun);
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, events.closedCode);
        assertEquals(0, agent.bufferedBytes(), "nothing held after the session died");
    }

    @Test
    void aWindowUpdateThatOverflowsIsAFlowControlError() {
        SessionRecorder events = new SessionRecorder();
        Session agent = establishedAgent(events, wire());
        agent.onRead(frame(out -> FrameEncoder.writeWindowUpdate(out, 0, Integer.MAX_VALUE)));
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, events.closedCode);
    }

    @Test
    void framesForANeverOpenedStreamAreAProtocolError() {
        SessionRecorder events = new SessionRecorder();
        Session agent = establishedAgent(events, wire());
        agent.onRead(frame(out -> FrameEncoder.writeFin(out, 7)));
        assertEquals(ErrorCode.PROTOCOL_ERROR, events.closedCode);
    }

    @Test
    void framesForAStreamThatIsGoneAreIgnored() {
        SessionRecorder events = new SessionRecorder();
        Session agent = establishedAgent(events, wire());
        agent.onRead(frame(out -> FrameEncoder.writeOpen(out, 1)));
        events.streams.get(0).reset(ErrorCode.CANCEL);
        agent.onRead(frame(out -> {
            FrameEncoder.writeDataHeader(out, 1, 3);
            out.writeBytes(new byte[] {1, 2, 3});
            FrameEncoder.writeFin(out, 1);
        }));
        assertFalse(agent.isClosed());
        assertNull(events.closedCode);
    }

    @Test
    void theAgentNeverAcceptsAnOpenFromTheWrongSide() {
        SessionRecorder events = new SessionRecorder();
        SessionHandshakeTest.CapturingTransport wire = wire();
        Session server = new Session(Role.SERVER, wire, TestConfigs.session("t", null), events,
                Dialect.nativeProtocol());
        server.start(System.nanoTime());
        server.onRead(frame(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "t", new byte[32])));
        server.onRead(frame(out -> FrameEncoder.writeAuth(out, new byte[0])));
        assertTrue(server.isEstablished());
        server.onRead(frame(out -> FrameEncoder.writeOpen(out, 2)));
        assertEquals(ErrorCode.PROTOCOL_ERROR, events.closedCode, "only the server opens streams");
    }

    @Test
    void aPeerThatStopsReadingIsCutOffBeforeItsQueueGrowsWithoutBound() {
        PipeLink p = PipeLink.of("t", null, null).start();
        p.agentSide.peerReads(false); // the server stops reading what the agent writes
        long pings = 0;
        while (!p.agent.isClosed() && pings < 10_000_000) {
            ByteBuf batch = Unpooled.buffer();
            for (int i = 0; i < 90; i++) {
                FrameEncoder.writePing(batch, false, pings++);
            }
            p.agent.onRead(batch); // each PING needs an answer the server never reads
            p.agent.tick(System.nanoTime());
        }
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, p.agentEvents.closedCode);
        assertTrue(pings * 17 >= TestConfigs.session("t", null).maxQueuedBytes());
    }

    /**
     * A peer that reads nothing but keeps sending (here ACKs for PINGs it never saw, which keep-alive counts as signs
     * of life) is cut at the write timeout, and its connection dropped with what was queued for it.
     */
    @Test
    void aPeerThatKeepsTalkingButNeverReadsIsCutAtTheWriteTimeout() {
        SessionConfig config = TestConfigs.session("t", null, Map.of("write-timeout", "5s"));
        PipeLink p = new PipeLink(config, config).start();
        p.agentSide.peerReads(false);
        p.agent.onRead(frame(out -> FrameEncoder.writePing(out, false, 1))); // an answer that waits
        long now = System.nanoTime();
        for (int s = 0; s <= 5; s++) {
            p.agent.onRead(frame(out -> FrameEncoder.writePing(out, true, 12345)));
            p.agent.tick(now + s * 1_000_000_000L);
            assertFalse(p.agent.isClosed(), "second " + s);
        }
        p.agent.tick(now + 7_000_000_000L);
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, p.agentEvents.closedCode);
        assertTrue(p.agentSide.aborted, "dropped, not flushed: the peer would never let a flush finish");
    }

    @Test
    void aSilentPeerIsDeclaredDead() {
        PipeLink p = PipeLink.of("t", null, null).start();
        p.serverSide.peerReads(false);
        p.agentSide.peerReads(false);
        long now = System.nanoTime();
        long timeout = p.agent.config().keepAliveTimeout().toNanos();
        p.agent.tick(now + timeout / 2);
        assertFalse(p.agent.isClosed(), "a PING goes out first");
        p.agent.tick(now + timeout + 1_000_000_000L);
        assertEquals(ErrorCode.KEEPALIVE_TIMEOUT, p.agentEvents.closedCode);
        // a silent peer may still read: it gets the GO_AWAY, and the transport bounds the close (SocketTransport)
        assertFalse(p.agentSide.aborted, "closed with a GO_AWAY, not dropped");
    }
}
