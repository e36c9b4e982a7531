package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.DelayRelay;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attack row "opens past the limit" (docs/PROTOCOL.md §5.1, §5.2, §8), from both sides, while another
 * session's echo transfer goes through the same process: an agent may open no stream at all, so its first OPEN
 * is a connection error; a server end may open streams, and an agent refuses each one past {@code max-streams}
 * with RESET REFUSED_STREAM, without dialing, has the ones past {@code max-pending-opens} wait for a dial, and
 * keeps the session.
 *
 * <p>After each hostile write, {@link RawPeer#fence} waits for a PING's ACK: the real end handles frames in order,
 * so everything it answered to the frames before has arrived by then.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OpenRowsTest {

    /** §5.1: only the server end opens streams. Five OPENs past a cap of four; the first already ends it. */
    @Test
    void anAgentThatOpensStreamsIsCutAtItsFirstOpen() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("max-streams", "4"))) {
            RawPeer hostile = scene.hostileAgent();
            hostile.trySend(out -> {
                for (int id = 1; id <= 5; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.code(), goAway.reason());
            assertTrue(goAway.reason().contains("OPEN from the agent (stream 1)"), goAway.reason());
            assertEquals(0, goAway.lastStreamId(), "§9.2: a server end's GO_AWAY names no stream it received");
            scene.loggedClose("PROTOCOL_ERROR");
            scene.assertOnlyTheHostileWasCut(hostile);
            List<Frame> frames = hostile.frames();
            assertEquals(List.of(goAway), frames.subList(frames.indexOf(new Frame.Welcome()) + 1, frames.size())
                    .stream().filter(f -> !(f instanceof Frame.WindowUpdate) && !(f instanceof Frame.Ping)).toList(),
                    "after the handshake, nothing but the GO_AWAY answered the OPENs");
        }
    }

    /**
     * §5.2 step 5 and §8: a hostile server end opens seven streams on an agent with {@code max-streams} 4. The
     * first four are dialed and accepted; the other three are refused at once, never dialed, and the session goes
     * on: a frame for a refused id is one for a stream that existed (§5.5), and a stream that ends makes room.
     */
    @Test
    void aServerEndOpeningPastMaxStreamsGetsRefusedStreamsAndKeepsItsSession() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("max-streams", "4"));
                Target upstream = Target.tcp(Target.Mode.ECHO, 0)) {
            RawPeer hostile = scene.hostileServer(upstream.address(), null);
            hostile.send(out -> {
                for (int id = 1; id <= 7; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            hostile.fence();
            assertEquals(List.of(refused(5), refused(6), refused(7)), resets(hostile), "refused at once");
            Await.until("the four streams within max-streams to be accepted", TunnelFixture.WAIT,
                    () -> openOks(hostile).size() == 4);
            assertEquals(Set.of(1, 2, 3, 4), openOks(hostile));
            // OPEN_OK follows the agent's connect; the upstream's own count of accepts may come a moment later
            Await.until("the four dials to reach the upstream", TunnelFixture.WAIT, () -> upstream.accepted() >= 4);

            hostile.send(out -> {
                FrameEncoder.writeWindowUpdate(out, 5, 1024); // for a refused stream: ignored (§5.5)
                FrameEncoder.writeReset(out, 1, ErrorCode.CANCEL); // makes room for one more
                FrameEncoder.writeOpen(out, 8);
                FrameEncoder.writeOpen(out, 9);
            });
            hostile.fence();
            assertEquals(List.of(refused(5), refused(6), refused(7), refused(9)), resets(hostile));
            Await.until("stream 8 to be accepted in stream 1's place", TunnelFixture.WAIT,
                    () -> openOks(hostile).contains(8));
            Await.until("stream 8's dial to reach the upstream", TunnelFixture.WAIT, () -> upstream.accepted() >= 5);
            assertEquals(5, upstream.accepted(), "the refused streams were never dialed");
            assertNoGoAway(hostile);
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    /**
     * §8 [8-3], [8-9]: with {@code max-pending-opens} 2 and an upstream whose dial never finishes (a SOCKS5 proxy,
     * here a relay that accepts and never lets a connection through, so each dial ends at the agent's
     * {@code connect-timeout}, 5 s here), the OPENs past the two dials are not refused: they wait. The server end
     * resets one stream that is dialing and one that waits, more resets than the limit of one a second, and keeps
     * its session. When the dials end, the streams that waited longer than {@code connect-timeout} fail with
     * CONNECT_TIMEOUT without a dial, the reset one is dropped, and a new OPEN is dialed at once.
     */
    @Test
    void aServerEndOpeningPastMaxPendingOpensHasItsOpensWaitAndKeepsItsSession() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("max-pending-opens", "2", "max-resets-per-second", "1"));
                DelayRelay silentProxy = DelayRelay.held(9)) {
            RawPeer hostile = scene.hostileServer("proxy:127.0.0.1:9", "socks5://127.0.0.1:" + silentProxy.port());
            hostile.send(out -> {
                for (int id = 1; id <= 5; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            Await.until("the dials of streams 1 and 2 to reach the proxy", TunnelFixture.WAIT,
                    () -> silentProxy.accepted() == 2);
            hostile.send(out -> {
                FrameEncoder.writeReset(out, 1, ErrorCode.CANCEL); // dialing: its dial runs on
                FrameEncoder.writeReset(out, 3, ErrorCode.CANCEL); // waiting: it leaves the line
            });
            twoFences(hostile);
            assertEquals(List.of(), answers(hostile), "nothing refused, nothing answered yet");
            assertEquals(2, silentProxy.accepted(), "streams 3 to 5 wait while two dials run");
            assertNoGoAway(hostile);
            scene.assertTheGoodAgentIsUntouched(0);

            Await.until("streams 2, 4 and 5 to fail", TunnelFixture.WAIT, () -> answers(hostile).size() == 3);
            List<Frame.OpenFailed> failed = answers(hostile).stream().map(Frame.OpenFailed.class::cast).toList();
            assertEquals(Set.of(2, 4, 5), failed.stream().map(Frame.OpenFailed::streamId).collect(Collectors.toSet()));
            for (Frame.OpenFailed f : failed) {
                // stream 2's dial ran out in the proxy's handshake; 4 and 5 had waited as long, and got no dial
                assertEquals(f.streamId() == 2 ? ErrorCode.PROXY_ERROR : ErrorCode.CONNECT_TIMEOUT, f.code(),
                        f.toString());
            }
            assertEquals(2, silentProxy.accepted(), "no dial for streams 3, 4 and 5");
            hostile.send(out -> FrameEncoder.writeOpen(out, 6));
            Await.until("stream 6 to be dialed at once", TunnelFixture.WAIT, () -> silentProxy.accepted() == 3);
            assertNoGoAway(hostile);
        }
    }

    /**
     * Two fences: the agent answers a stream it refuses itself in a task after the read that brought the OPEN, so
     * by the second ACK that answer has been sent.
     */
    private static void twoFences(RawPeer peer) throws java.io.IOException {
        peer.fence();
        peer.fence();
    }

    private static Frame.Reset refused(int id) {
        return new Frame.Reset(id, ErrorCode.REFUSED_STREAM);
    }

    private static List<Frame.Reset> resets(RawPeer peer) {
        return peer.frames().stream().filter(Frame.Reset.class::isInstance).map(Frame.Reset.class::cast).toList();
    }

    /** What the agent answered to OPENs: OPEN_OK, OPEN_FAILED and RESET, in order. */
    private static List<Frame> answers(RawPeer peer) {
        return peer.frames().stream().filter(f -> f instanceof Frame.OpenOk || f instanceof Frame.OpenFailed
                || f instanceof Frame.Reset).toList();
    }

    private static Set<Integer> openOks(RawPeer peer) {
        return peer.frames().stream().filter(Frame.OpenOk.class::isInstance)
                .map(f -> ((Frame.OpenOk) f).streamId()).collect(Collectors.toSet());
    }

    private static void assertNoGoAway(RawPeer peer) {
        assertFalse(peer.ended(), "the session goes on");
        assertTrue(peer.frames().stream().noneMatch(Frame.GoAway.class::isInstance), "no GO_AWAY: " + peer.frames());
    }
}
