package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.Await;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;

/** Streams between two real sessions, each scenario over every kind of connection ({@link OverEveryLink}). */
class SessionStreamsTest {
    private static final int WINDOW = WireConstants.INITIAL_STREAM_WINDOW;

    private Link link;

    private Link start(LinkType over, SessionConfig server, SessionConfig agent) {
        link = over.start(server, agent);
        return link;
    }

    private Link start(LinkType over) {
        return start(over, TestConfigs.session("t", null), TestConfigs.session("t", null));
    }

    @AfterEach
    void closeLink() {
        if (link != null) {
            link.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @OverEveryLink
    void bytesFlowBothWaysAndFinHalfClosesOneDirection(LinkType over) {
        Link p = start(over);
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        byte[] request = random(300_000, 1);
        p.run(() -> {
            s.write(Unpooled.wrappedBuffer(request));
            s.end();
        });
        StreamRecorder upstream = p.upstream(0);
        p.settle("the request and its FIN to reach the upstream, OPEN_OK the server", () -> upstream.fin && user.opened);
        p.run(() -> assertArrayEquals(request, upstream.received.toByteArray()));

        // the other direction still flows after the user's half-close
        MuxStream agentSide = p.agentStream(0);
        byte[] reply = random(500_000, 2);
        p.run(() -> {
            agentSide.write(Unpooled.wrappedBuffer(reply));
            agentSide.end();
        });
        p.settle("the reply and its FIN to reach the user", () -> user.fin);
        p.settle("both FINs to close the stream on the server and on the agent",
                () -> p.server().streamCount() == 0 && p.agent().streamCount() == 0);
        p.run(() -> {
            assertArrayEquals(reply, user.received.toByteArray());
            assertNull(user.reset);
            assertEquals(0, p.server().bufferedBytes());
            assertEquals(0, p.agent().bufferedBytes());
        });
    }

    @OverEveryLink
    void aReceiverSamplesTheRoundTripAgainWhileDataFlows(LinkType over) {
        Link p = start(over);
        long handshakeRtt = p.get(() -> p.agent().rttNanos());
        assertTrue(handshakeRtt > 0, "the handshake's PING gave a first sample");
        long start = System.nanoTime();
        Await.until("the probe interval to pass", Duration.ofSeconds(5),
                () -> System.nanoTime() - start > RoundTrip.PROBE_INTERVAL_NANOS);
        MuxStream s = p.open(new StreamRecorder());
        p.run(() -> s.write(Unpooled.wrappedBuffer(random(WINDOW, 3))));
        // the agent's WINDOW_UPDATE carried a PING along, and its answer is the new sample
        p.settle("a new round-trip sample while data flowed", () -> p.agent().rttNanos() != handshakeRtt);
    }

    @OverEveryLink
    void theSenderNeverExceedsTheCreditTheReceiverGranted(LinkType over) {
        Link p = start(over);
        MuxStream s = p.open(new StreamRecorder());
        StreamRecorder upstream = p.upstream(0);
        MuxStream agentSide = p.agentStream(0);
        p.run(() -> upstream.consume = false); // the upstream socket stops taking bytes

        byte[] data = random(WINDOW + MuxStream.HIGH_WATER, 3);
        p.run(() -> {
            for (int offset = 0; offset < data.length; offset += 16_384) {
                s.write(Unpooled.wrappedBuffer(data, offset, 16_384));
            }
        });
        p.settle("the initial window to reach the upstream", () -> upstream.received.size() >= WINDOW);
        p.run(() -> {
            assertEquals(WINDOW, s.bytesSent(), "exactly the initial window sent, no more");
            assertEquals(WINDOW, upstream.received.size());
            assertTrue(s.writeQueueFull(), "the source is told to pause");
            assertEquals(MuxStream.HIGH_WATER, p.server().bufferedBytes(), "the rest waits for credit");
            assertEquals(WINDOW, p.agent().bufferedBytes(), "the agent holds what its upstream has not taken");
            upstream.drain(agentSide);
        });
        p.settle("credit to come back on consume, and the rest to follow", () -> upstream.received.size() == data.length);
        p.run(() -> assertArrayEquals(data, upstream.received.toByteArray()));
    }

    @OverEveryLink
    void oneStalledStreamDoesNotStallAnother(LinkType over) {
        Link p = start(over);
        MuxStream slow = p.open(new StreamRecorder());
        MuxStream fast = p.open(new StreamRecorder());
        StreamRecorder slowUpstream = p.upstream(0);
        StreamRecorder fastUpstream = p.upstream(1);
        p.run(() -> slowUpstream.consume = false);
        byte[] big = random(1_000_000, 4);
        p.run(() -> {
            slow.write(Unpooled.wrappedBuffer(big));
            for (int i = 0; i < 20; i++) {
                fast.write(Unpooled.wrappedBuffer(big, i * 50_000, 50_000));
            }
        });
        p.settle("the fast stream's bytes and the slow stream's window to arrive",
                () -> fastUpstream.received.size() == big.length && slowUpstream.received.size() >= WINDOW);
        p.run(() -> {
            assertArrayEquals(big, fastUpstream.received.toByteArray());
            assertEquals(WINDOW, slowUpstream.received.size(), "the slow stream stopped at its window");
            assertEquals(WINDOW, slow.bytesSent());
        });
    }

    @OverEveryLink
    void bytesSentBeforeTheUpstreamConnectsArriveInOrderOnceItDoes(LinkType over) {
        Link p = start(over);
        p.run(() -> p.agentEvents().acceptAtOnce = false);
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        byte[] early = random(100_000, 5);
        p.run(() -> {
            s.write(Unpooled.wrappedBuffer(early, 0, 60_000));
            s.write(Unpooled.wrappedBuffer(early, 60_000, 40_000));
            s.end();
        });
        MuxStream pending = p.agentStream(0);
        p.settle("the agent to hold the bytes and the FIN, within the window",
                () -> pending.bufferedBytes() == 100_000 && !pending.state().remoteOpen());
        p.run(() -> assertFalse(user.opened));

        StreamRecorder upstream = p.get(() -> {
            StreamRecorder r = p.agentEvents().attach(pending);
            pending.accept();
            return r;
        });
        p.settle("the held bytes and FIN to reach the upstream, OPEN_OK the user", () -> upstream.fin && user.opened);
        p.run(() -> assertArrayEquals(early, upstream.received.toByteArray()));
    }

    @OverEveryLink
    void aRefusedOpenReachesTheServerWithItsReason(LinkType over) {
        Link p = start(over);
        p.run(() -> p.agentEvents().acceptAtOnce = false);
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        p.run(() -> s.write(Unpooled.wrappedBuffer(random(1000, 6))));
        MuxStream pending = p.agentStream(0);
        p.settle("the agent to hold the bytes", () -> pending.bufferedBytes() == 1000);
        p.run(() -> pending.refuse(ErrorCode.CONNECT_REFUSED, "connection refused"));
        p.settle("the refusal to reach the user", () -> user.reset != null);
        p.run(() -> {
            assertEquals(ErrorCode.CONNECT_REFUSED, user.reset);
            assertEquals("connection refused", user.resetReason);
            assertEquals(0, p.server().streamCount());
            assertEquals(0, p.agent().streamCount());
            assertEquals(0, p.agent().bufferedBytes(), "held bytes of a refused stream are released");
        });
    }

    @OverEveryLink
    void resetIsDistinctFromFinAndLeavesOtherStreamsAlone(LinkType over) {
        Link p = start(over);
        StreamRecorder a = new StreamRecorder();
        StreamRecorder b = new StreamRecorder();
        MuxStream sa = p.open(a);
        MuxStream sb = p.open(b);
        MuxStream agentA = p.agentStream(0);
        StreamRecorder upstreamB = p.upstream(1);
        p.run(() -> agentA.reset(ErrorCode.CANCEL));
        p.settle("the RESET to reach the user", () -> a.reset != null);
        p.run(() -> {
            assertEquals(ErrorCode.CANCEL, a.reset);
            assertFalse(a.fin);
            assertTrue(sa.state().isTerminal());
            sb.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        });
        p.settle("the other stream's bytes to arrive", () -> upstreamB.received.size() == 3);
        p.run(() -> {
            assertArrayEquals(new byte[] {1, 2, 3}, upstreamB.received.toByteArray());
            assertNull(b.reset);
        });
    }

    @OverEveryLink
    void goAwayLetsOpenStreamsFinishThenCloses(LinkType over) {
        Link p = start(over);
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        MuxStream agentSide = p.agentStream(0);
        StreamRecorder upstream = p.upstream(0);
        p.run(() -> p.server().goAway(ErrorCode.NO_ERROR, "shutting down", 5_000_000_000L));
        p.settle("the GO_AWAY to reach the agent", () -> p.agentEvents().goAwayCode != null);
        p.run(() -> {
            assertEquals(ErrorCode.NO_ERROR, p.agentEvents().goAwayCode);
            assertFalse(p.server().isClosed(), "a stream is still open");
            assertNull(p.server().open(), "no new streams after GO_AWAY");
            s.write(Unpooled.wrappedBuffer(new byte[] {9}));
            s.end();
            agentSide.write(Unpooled.wrappedBuffer(new byte[] {8}));
            agentSide.end();
        });
        p.settle("both ends to close once the stream is done", () -> p.server().isClosed() && p.agent().isClosed());
        p.run(() -> {
            assertArrayEquals(new byte[] {8}, user.received.toByteArray());
            assertArrayEquals(new byte[] {9}, upstream.received.toByteArray());
            assertEquals(ErrorCode.NO_ERROR, p.serverEvents().closedCode);
        });
    }

    @OverEveryLink
    void losingTheConnectionResetsEveryStream(LinkType over) {
        Link p = start(over);
        StreamRecorder a = new StreamRecorder();
        StreamRecorder b = new StreamRecorder();
        p.open(a);
        p.open(b);
        p.settle("both streams to be open", () -> a.opened && b.opened);
        p.dropAgentConnection();
        p.settle("the server to see the connection gone", () -> p.server().isClosed());
        p.run(() -> {
            assertEquals(ErrorCode.SESSION_CLOSED, p.serverEvents().closedCode);
            assertEquals(ErrorCode.SESSION_CLOSED, a.reset);
            assertEquals(ErrorCode.SESSION_CLOSED, b.reset);
        });
    }

    @OverEveryLink
    void theAgentRefusesStreamsBeyondItsLimit(LinkType over) {
        Link p = start(over, TestConfigs.session("t", null),
                TestConfigs.session("t", null, Map.of("max-streams", "2")));
        StreamRecorder[] users = {new StreamRecorder(), new StreamRecorder(), new StreamRecorder()};
        for (StreamRecorder u : users) {
            p.open(u);
        }
        p.settle("two streams to open and the third to be refused",
                () -> users[0].opened && users[1].opened && users[2].reset != null);
        p.run(() -> {
            assertNull(users[0].reset);
            assertNull(users[1].reset);
            assertEquals(ErrorCode.REFUSED_STREAM, users[2].reset);
            assertTrue(p.agent().isEstablished(), "a refusal is a stream matter, not a session one");
        });
    }
}
