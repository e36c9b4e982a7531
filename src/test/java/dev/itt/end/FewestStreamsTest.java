package dev.itt.end;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.PipeLink;
import dev.itt.mux.Session;
import dev.itt.mux.wire.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The picker over real server sessions, each established with its agent over an in-memory pipe. */
class FewestStreamsTest {
    private static final long DRAIN = 60_000_000_000L;
    private final FewestStreams picker = new FewestStreams();

    @Test
    void theSessionWithTheFewestOpenStreamsGetsTheNextOne() {
        Session a = live(2);
        Session b = live(1);
        Session c = live(3);
        List<Session> group = List.of(a, b, c);
        assertSame(b, picker.pick(group));
        b.open(); // b and a now tie at 2
        b.open(); // b has 3: a alone has the fewest
        assertSame(a, picker.pick(group));
        assertSame(a, picker.pick(group), "picking opens nothing: the counts, not the picks, decide");
    }

    @Test
    void sessionsWithEqualCountsTakeTurnsInListOrder() {
        List<Session> group = List.of(live(0), live(0), live(0));
        List<Session> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(picker.pick(group));
        }
        assertEquals(List.of(group.get(0), group.get(1), group.get(2), group.get(0), group.get(1), group.get(2)),
                picks);
    }

    @Test
    void everyTiedSessionGetsAStreamBeforeAnyGetsTwo() {
        List<Session> group = List.of(live(1), live(0), live(1), live(0));
        List<Session> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Session s = picker.pick(group);
            s.open();
            got.add(s);
        }
        // the two at 0 first, then all four at 1 each once
        assertEquals(List.of(group.get(1), group.get(3)), got.subList(0, 2));
        assertEquals(4, got.subList(2, 6).stream().distinct().count(), "each of the four took one: " + got);
        for (Session s : group) {
            assertEquals(2, s.streamCount());
        }
    }

    @Test
    void sessionsNotEstablishedOrPastGoAwayEitherWayAreNeverPicked() {
        Session handshaking = PipeLink.of("t", null, null).server(); // never started
        Session saidGoAway = live(0);
        saidGoAway.open(); // a stream to drain keeps it open after its GO_AWAY
        saidGoAway.goAway(ErrorCode.NO_ERROR, "stopping", DRAIN);
        Session heardGoAway = heardGoAway();
        Session busy = live(5);
        for (Session s : List.of(handshaking, saidGoAway, heardGoAway)) {
            assertTrue(!s.isClosed() && s.streamCount() < busy.streamCount(), "fewer streams, and not closed");
        }
        List<Session> group = List.of(handshaking, saidGoAway, heardGoAway, busy);
        for (int i = 0; i < 4; i++) {
            assertSame(busy, picker.pick(group), "pick " + i);
        }
        assertNull(picker.pick(List.of(handshaking, saidGoAway, heardGoAway)));
        assertNull(picker.pick(List.of()));
    }

    /** A server session, established, with {@code streams} streams open and not yet sent. */
    private static Session live(int streams) {
        Session s = PipeLink.of("t", null, null).start().server();
        assertTrue(s.isEstablished(), "the handshake ran");
        for (int i = 0; i < streams; i++) {
            s.open();
        }
        return s;
    }

    /** A server session whose agent has said GO_AWAY, still open for the stream it drains. */
    private static Session heardGoAway() {
        PipeLink p = PipeLink.of("t", null, null).start();
        p.server().open();
        p.settle("the agent to have the stream", () -> p.agent().streamCount() == 1);
        p.agent().goAway(ErrorCode.NO_ERROR, "agent stopping", DRAIN);
        p.settle("the server to hear the GO_AWAY", () -> !p.server().acceptsStreams());
        assertTrue(p.server().isEstablished(), "still open: only the GO_AWAY stops new streams");
        return p.server();
    }
}
