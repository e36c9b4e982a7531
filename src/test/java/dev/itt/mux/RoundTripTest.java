package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The round-trip estimate window auto-tuning reads (docs/PROTOCOL.md §7.2): until a PING sent with a window update
 * is answered, the latest sample of any PING; from then on, the smallest sample of those, so that the queue a
 * stream's own data builds in the path never makes the round trip, and so the window, grow on each other.
 */
class RoundTripTest {
    private static final long MS = 1_000_000L;

    @Test
    void beforeAnyAnswerThereIsNoEstimate() {
        RoundTrip rtt = new RoundTrip();
        rtt.send(0, false);
        assertEquals(0, rtt.nanos());
    }

    @Test
    void keepAliveSamplesCountUntilAProbeIsAnswered() {
        RoundTrip rtt = new RoundTrip();
        rtt.answered(rtt.send(0, false), 40 * MS);
        assertEquals(40 * MS, rtt.nanos());
        rtt.answered(rtt.send(100 * MS, false), 130 * MS);
        assertEquals(30 * MS, rtt.nanos(), "the latest keep-alive sample");
    }

    @Test
    void theSmallestProbeSampleWinsOverLaterLongerOnesAndOverKeepAlives() {
        RoundTrip rtt = new RoundTrip();
        rtt.answered(rtt.send(0, false), 40 * MS);
        rtt.answered(rtt.send(100 * MS, true), 150 * MS);
        assertEquals(50 * MS, rtt.nanos());
        rtt.answered(rtt.send(200 * MS, true), 290 * MS); // the queue in the path grew
        assertEquals(50 * MS, rtt.nanos());
        rtt.answered(rtt.send(300 * MS, false), 301 * MS); // an idle keep-alive after the transfer
        assertEquals(50 * MS, rtt.nanos());
        rtt.answered(rtt.send(400 * MS, true), 445 * MS);
        assertEquals(45 * MS, rtt.nanos());
    }

    @Test
    void anAckThatAnswersNoOutstandingPingTakesNoSample() {
        RoundTrip rtt = new RoundTrip();
        long payload = rtt.send(0, true);
        rtt.answered(payload + 1, 5 * MS);
        assertEquals(0, rtt.nanos());
        rtt.answered(payload, 7 * MS);
        rtt.answered(payload, 9 * MS);
        assertEquals(7 * MS, rtt.nanos(), "one sample per PING");
    }
}
