package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.MuxException;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The write timeout against a real session pair on the in-memory pipe, whose agent side's peer stops reading at the
 * test's word: bytes that wait count, bytes that go out restart the clock, bytes queued behind do not.
 */
class WriteTimeoutTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SessionConfig CONFIG = TestConfigs.session("t", null, Map.of("write-timeout", "5s"));

    private final PipeLink p = new PipeLink(CONFIG, CONFIG).start();
    private final WriteTimeout timeout = WriteTimeout.of(Flow.CREDIT, CONFIG);

    /** The server sends PINGs the agent answers; the answers wait on the agent's side while its peer reads nothing. */
    private void queueAnswers() {
        ByteBuf pings = Unpooled.buffer();
        for (int i = 0; i < 10; i++) {
            FrameEncoder.writePing(pings, false, i);
        }
        p.agent.onRead(pings);
        assertTrue(p.agentSide.pendingBytes() > 0, "answers wait");
    }

    @Test
    void bytesThatWaitLongerThanTheTimeoutFailTheSession() {
        p.agentSide.peerReads(false);
        queueAnswers();
        long t0 = System.nanoTime();
        assertDoesNotThrow(() -> timeout.check(t0, p.agentSide));
        assertDoesNotThrow(() -> timeout.check(t0 + 5 * SECOND, p.agentSide), "not past the timeout yet");
        MuxException e = assertThrows(MuxException.class, () -> timeout.check(t0 + 6 * SECOND, p.agentSide));
        assertEquals(ErrorCode.ENHANCE_YOUR_CALM, e.code());
        assertTrue(e.getMessage().contains("none sent for 6000 ms"), e.getMessage());
    }

    @Test
    void moreBytesQueuedBehindAreNotProgress() {
        p.agentSide.peerReads(false);
        queueAnswers();
        long t0 = System.nanoTime();
        assertDoesNotThrow(() -> timeout.check(t0, p.agentSide));
        queueAnswers();
        assertThrows(MuxException.class, () -> timeout.check(t0 + 6 * SECOND, p.agentSide));
    }

    @Test
    void bytesThatGoOutRestartTheClock() {
        p.agentSide.peerReads(false);
        queueAnswers();
        long t = System.nanoTime();
        for (int i = 0; i < 10; i++, t += 4 * SECOND) {
            long now = t;
            assertDoesNotThrow(() -> timeout.check(now, p.agentSide), "a slow reader is not cut, round " + i);
            p.agentSide.peerReads(true); // the peer reads a little, every four seconds
            p.loop.runUntilIdle();
            p.agentSide.peerReads(false);
            queueAnswers();
        }
    }

    @Test
    void anEmptyQueueNeverTimesOut() {
        long t0 = System.nanoTime();
        assertDoesNotThrow(() -> timeout.check(t0, p.agentSide));
        assertDoesNotThrow(() -> timeout.check(t0 + 60 * SECOND, p.agentSide));
    }

    /** A format without credit stops reading as its flow control (docs/LEGACY.md): a stall is not a dead peer. */
    @Test
    void aFormatWhoseFlowControlPausesReadsHasNoWriteTimeout() {
        WriteTimeout paused = WriteTimeout.of(new Flow.PauseReading(new SessionHandshakeTest.CapturingTransport()),
                CONFIG);
        p.agentSide.peerReads(false);
        queueAnswers();
        long t0 = System.nanoTime();
        assertDoesNotThrow(() -> paused.check(t0, p.agentSide));
        assertDoesNotThrow(() -> paused.check(t0 + 60 * SECOND, p.agentSide));
    }
}
