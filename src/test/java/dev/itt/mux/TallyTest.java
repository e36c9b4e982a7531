package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What two real sessions joined by an in-memory pipe count into their {@link Tally}: bytes by direction, streams
 * opened and failed, and the one reason each session's end or failed handshake is counted under.
 */
class TallyTest {
    private static Tally.Totals server(PipeLink p) {
        return p.server.tally().totals(Role.SERVER);
    }

    private static Tally.Totals agent(PipeLink p) {
        return p.agent.tally().totals(Role.AGENT);
    }

    /** Every close reason's count at 0 but {@code reason}'s at 1. */
    private static void closedOnlyBy(Tally.Totals t, SessionClose reason) {
        for (SessionClose c : SessionClose.values()) {
            assertEquals(c == reason ? 1 : 0, t.sessionsClosed(c), c + ", expected only " + reason);
        }
    }

    @Test
    void bytesAreCountedByDirectionTheSameAtBothEndsAndAStreamOnceItOpens() {
        PipeLink p = PipeLink.of("t", null, null).start();
        StreamRecorder user = new StreamRecorder();
        MuxStream s = p.server.open();
        s.handler(user);
        s.write(Unpooled.wrappedBuffer(new byte[300_000]));
        p.loop.runUntilIdle();
        p.agentEvents.streams.get(0).write(Unpooled.wrappedBuffer(new byte[12_345]));
        p.loop.runUntilIdle();
        for (Tally.Totals t : new Tally.Totals[] {server(p), agent(p)}) {
            assertEquals(300_000, t.bytesUp());
            assertEquals(12_345, t.bytesDown());
            assertEquals(1, t.streamsOpened());
            assertEquals(1, t.sessionsOpened());
        }
    }

    @Test
    void aRefusedOpenCountsAtBothEndsUnderTheAgentsReasonAndNotAsOpened() {
        PipeLink p = PipeLink.of("t", null, null).start();
        p.agentEvents.acceptAtOnce = false;
        p.server.open().handler(new StreamRecorder());
        p.loop.runUntilIdle();
        p.agentEvents.streams.get(0).refuse(ErrorCode.CONNECT_REFUSED, "Connection refused");
        p.loop.runUntilIdle();
        for (Tally.Totals t : new Tally.Totals[] {server(p), agent(p)}) {
            assertEquals(1, t.streamsFailed(StreamFailure.REFUSED));
            assertEquals(0, t.streamsOpened());
            assertEquals(1, Arrays.stream(StreamFailure.values()).mapToLong(t::streamsFailed).sum());
        }
    }

    @Test
    void aDroppedConnectionIsPeerClosedAndADrainIsShutdownHereAndGoAwayThere() {
        PipeLink dropped = PipeLink.of("t", null, null).start();
        dropped.dropAgentConnection();
        dropped.loop.runUntilIdle();
        closedOnlyBy(server(dropped), SessionClose.PEER_CLOSED);

        PipeLink drained = PipeLink.of("t", null, null).start();
        drained.server.goAway(ErrorCode.NO_ERROR, "stopping", 1_000_000_000L);
        drained.loop.runUntilIdle();
        closedOnlyBy(server(drained), SessionClose.SHUTDOWN);
        closedOnlyBy(agent(drained), SessionClose.GO_AWAY);
    }

    @Test
    void aSilentPeerIsADeadPeerHereAndAPeerErrorThere() {
        PipeLink p = PipeLink.of("t", null, null).start();
        p.server.tick(System.nanoTime() + p.server.config().keepAliveTimeout().toNanos() + 1_000_000_000L);
        p.loop.runUntilIdle();
        closedOnlyBy(server(p), SessionClose.DEAD_PEER);
        closedOnlyBy(agent(p), SessionClose.PEER_ERROR);
    }

    @Test
    void aWrongTokenIsABadTokenHandshakeAtBothEndsAndNoSession() {
        PipeLink p = PipeLink.of("t", "right", "wrong").start();
        for (Tally.Totals t : new Tally.Totals[] {server(p), agent(p)}) {
            assertEquals(1, t.handshakeFailures(HandshakeFailure.BAD_TOKEN));
            assertEquals(0, t.sessionsOpened());
            closedOnlyBy(t, null);
        }
    }

    @Test
    void aHandshakeThatTakesTooLongIsATimeout() {
        PipeLink p = PipeLink.of("t", null, null);
        long now = System.nanoTime();
        p.server.start(now);
        p.server.tick(now + p.server.config().handshakeTimeout().toNanos() + 1);
        assertEquals(1, server(p).handshakeFailures(HandshakeFailure.TIMEOUT));
        assertEquals(0, server(p).sessionsOpened());
    }
}
