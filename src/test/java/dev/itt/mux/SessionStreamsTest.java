package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.Unpooled;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionStreamsTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void bytesFlowBothWaysAndFinHalfClosesOneDirection() {
        SessionPair p = SessionPair.of("t", null, null).start();
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        byte[] request = random(300_000, 1);
        s.write(Unpooled.wrappedBuffer(request));
        s.end();
        p.loop.runUntilIdle();
        StreamRecorder upstream = p.agentEvents.recorders.get(0);
        MuxStream agentSide = p.agentEvents.streams.get(0);
        assertArrayEquals(request, upstream.received.toByteArray());
        assertTrue(upstream.fin, "the user's FIN reached the upstream side");
        assertTrue(user.opened, "OPEN_OK reached the server");

        // the other direction still flows after the user's half-close
        byte[] reply = random(500_000, 2);
        agentSide.write(Unpooled.wrappedBuffer(reply));
        agentSide.end();
        p.loop.runUntilIdle();
        assertArrayEquals(reply, user.received.toByteArray());
        assertTrue(user.fin);
        assertNull(user.reset);
        assertEquals(0, p.server.streamCount(), "both FINs close the stream on the server");
        assertEquals(0, p.agent.streamCount(), "and on the agent");
        assertEquals(0, p.server.bufferedBytes());
        assertEquals(0, p.agent.bufferedBytes());
    }

    @Test
    void aReceiverSamplesTheRoundTripAgainWhileDataFlows() {
        SessionPair p = SessionPair.of("t", null, null).start();
        long handshakeRtt = p.agent.rttNanos();
        assertTrue(handshakeRtt > 0, "the handshake's PING gave a first sample");
        long start = System.nanoTime();
        dev.itt.testing.Await.until("the probe interval to pass", java.time.Duration.ofSeconds(5),
                () -> System.nanoTime() - start > RoundTrip.PROBE_INTERVAL_NANOS);
        MuxStream s = p.open(new StreamRecorder());
        s.write(Unpooled.wrappedBuffer(random(WireConstants.INITIAL_STREAM_WINDOW, 3)));
        p.loop.runUntilIdle();
        // the agent's WINDOW_UPDATE carried a PING along, and its answer is the new sample
        assertTrue(p.agent.rttNanos() != handshakeRtt, "a new round-trip sample while data flowed");
    }

    @Test
    void theSenderNeverExceedsTheCreditTheReceiverGranted() {
        SessionPair p = SessionPair.of("t", null, null).start();
        p.agentEvents.acceptAtOnce = true;
        MuxStream s = p.open(new StreamRecorder());
        p.loop.runUntilIdle();
        StreamRecorder upstream = p.agentEvents.recorders.get(0);
        upstream.consume = false; // the upstream socket stops taking bytes

        byte[] data = random(2_000_000, 3);
        int offset = 0;
        while (offset < data.length && !s.writeQueueFull()) {
            int n = Math.min(16_384, data.length - offset);
            s.write(Unpooled.wrappedBuffer(data, offset, n));
            offset += n;
            p.loop.runUntilIdle();
        }
        assertTrue(s.writeQueueFull(), "the source is told to pause");
        assertEquals(WireConstants.INITIAL_STREAM_WINDOW, upstream.received.size(),
                "exactly the initial window crossed, no more");
        assertTrue(p.agent.bufferedBytes() <= WireConstants.INITIAL_STREAM_WINDOW);
        assertTrue(p.server.bufferedBytes() <= MuxStream.HIGH_WATER + 16_384);

        upstream.drain(p.agentEvents.streams.get(0));
        p.loop.runUntilIdle();
        assertTrue(upstream.received.size() > WireConstants.INITIAL_STREAM_WINDOW, "credit came back on consume");
    }

    @Test
    void oneStalledStreamDoesNotStallAnother() {
        SessionPair p = SessionPair.of("t", null, null).start();
        MuxStream slow = p.open(new StreamRecorder());
        MuxStream fast = p.open(new StreamRecorder());
        p.loop.runUntilIdle();
        p.agentEvents.recorders.get(0).consume = false;
        byte[] big = random(1_000_000, 4);
        slow.write(Unpooled.wrappedBuffer(big));
        for (int i = 0; i < 20; i++) {
            fast.write(Unpooled.wrappedBuffer(big, i * 50_000, 50_000));
            p.loop.runUntilIdle();
        }
        assertArrayEquals(big, p.agentEvents.recorders.get(1).received.toByteArray());
        assertEquals(WireConstants.INITIAL_STREAM_WINDOW, p.agentEvents.recorders.get(0).received.size());
    }

    @Test
    void bytesSentBeforeTheUpstreamConnectsArriveInOrderOnceItDoes() {
        SessionPair p = SessionPair.of("t", null, null).start();
        p.agentEvents.acceptAtOnce = false;
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        byte[] early = random(100_000, 5);
        s.write(Unpooled.wrappedBuffer(early, 0, 60_000));
        s.write(Unpooled.wrappedBuffer(early, 60_000, 40_000));
        s.end();
        p.loop.runUntilIdle();
        assertFalse(user.opened);
        MuxStream pending = p.agentEvents.streams.get(0);
        assertEquals(100_000, pending.bufferedBytes(), "held by the agent, within the window");

        StreamRecorder upstream = p.agentEvents.attach(pending);
        pending.accept();
        p.loop.runUntilIdle();
        assertArrayEquals(early, upstream.received.toByteArray());
        assertTrue(upstream.fin);
        assertTrue(user.opened);
    }

    @Test
    void aRefusedOpenReachesTheServerWithItsReason() {
        SessionPair p = SessionPair.of("t", null, null).start();
        p.agentEvents.acceptAtOnce = false;
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        s.write(Unpooled.wrappedBuffer(random(1000, 6)));
        p.loop.runUntilIdle();
        p.agentEvents.streams.get(0).refuse(ErrorCode.CONNECT_REFUSED, "connection refused");
        p.loop.runUntilIdle();
        assertEquals(ErrorCode.CONNECT_REFUSED, user.reset);
        assertEquals("connection refused", user.resetReason);
        assertEquals(0, p.server.streamCount());
        assertEquals(0, p.agent.streamCount());
        assertEquals(0, p.agent.bufferedBytes(), "held bytes of a refused stream are released");
    }

    @Test
    void resetIsDistinctFromFinAndLeavesOtherStreamsAlone() {
        SessionPair p = SessionPair.of("t", null, null).start();
        StreamRecorder a = new StreamRecorder();
        StreamRecorder b = new StreamRecorder();
        MuxStream sa = p.open(a);
        MuxStream sb = p.open(b);
        p.loop.runUntilIdle();
        p.agentEvents.streams.get(0).reset(ErrorCode.CANCEL);
        p.loop.runUntilIdle();
        assertEquals(ErrorCode.CANCEL, a.reset);
        assertFalse(a.fin);
        sb.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        p.loop.runUntilIdle();
        assertArrayEquals(new byte[] {1, 2, 3}, p.agentEvents.recorders.get(1).received.toByteArray());
        assertNull(b.reset);
        assertTrue(sa.state().isTerminal());
    }

    @Test
    void goAwayLetsOpenStreamsFinishThenCloses() {
        SessionPair p = SessionPair.of("t", null, null).start();
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.open(user);
        p.loop.runUntilIdle();
        p.server.goAway(ErrorCode.NO_ERROR, "shutting down", 5_000_000_000L);
        p.loop.runUntilIdle();
        assertFalse(p.server.isClosed(), "a stream is still open");
        assertEquals(ErrorCode.NO_ERROR, p.agentEvents.goAwayCode);
        assertNull(p.server.open(), "no new streams after GO_AWAY");

        MuxStream agentSide = p.agentEvents.streams.get(0);
        s.write(Unpooled.wrappedBuffer(new byte[] {9}));
        s.end();
        agentSide.write(Unpooled.wrappedBuffer(new byte[] {8}));
        agentSide.end();
        p.loop.runUntilIdle();
        assertArrayEquals(new byte[] {8}, user.received.toByteArray());
        assertTrue(p.server.isClosed());
        assertTrue(p.agent.isClosed());
        assertEquals(ErrorCode.NO_ERROR, p.serverEvents.closedCode);
    }

    @Test
    void losingTheConnectionResetsEveryStream() {
        SessionPair p = SessionPair.of("t", null, null).start();
        StreamRecorder a = new StreamRecorder();
        StreamRecorder b = new StreamRecorder();
        p.open(a);
        p.open(b);
        p.loop.runUntilIdle();
        p.agentSide.close();
        p.loop.runUntilIdle();
        assertEquals(ErrorCode.SESSION_CLOSED, a.reset);
        assertEquals(ErrorCode.SESSION_CLOSED, b.reset);
        assertTrue(p.server.isClosed());
    }

    @Test
    void theAgentRefusesStreamsBeyondItsLimit() {
        SessionPair p = new SessionPair(TestConfigs.session("t", null),
                TestConfigs.session("t", null, Map.of("max-streams", "2", "max-pending-opens", "2"))).start();
        StreamRecorder[] users = {new StreamRecorder(), new StreamRecorder(), new StreamRecorder()};
        for (StreamRecorder u : users) {
            p.open(u);
        }
        p.loop.runUntilIdle();
        assertNull(users[0].reset);
        assertNull(users[1].reset);
        assertEquals(ErrorCode.REFUSED_STREAM, users[2].reset);
        assertTrue(p.agent.isEstablished(), "a refusal is a stream matter, not a session one");
    }

    @Test
    void windowsGrowWhenTheRoundTripIsTheLimitAndStayUnderTheCap() {
        ReceiveWindow w = new ReceiveWindow(WireConstants.INITIAL_STREAM_WINDOW, 4 * 1024 * 1024);
        long rtt = 50_000_000L; // 50 ms
        long now = 1_000_000_000L;
        int granted = 0;
        for (int i = 0; i < 100; i++) {
            assertTrue(w.receive(w.window() / 2));
            now += rtt / 4; // consumed fast: updates come well within two round trips
            granted += w.consume(w.window() / 2, now, rtt);
        }
        assertEquals(4 * 1024 * 1024, w.window(), "grew to the cap, not past it");
        assertTrue(granted > 0);

        ReceiveWindow slow = new ReceiveWindow(WireConstants.INITIAL_STREAM_WINDOW, 4 * 1024 * 1024);
        for (int i = 0; i < 100; i++) {
            assertTrue(slow.receive(slow.window() / 2));
            now += 3 * rtt; // the receiver, not the path, is the limit
            slow.consume(slow.window() / 2, now, rtt);
        }
        assertEquals(WireConstants.INITIAL_STREAM_WINDOW, slow.window(), "no growth when the window is not the limit");
    }
}
