package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
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
 * or {@code max-pending-opens} with RESET REFUSED_STREAM, without dialing, and keeps the session.
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
     * §5.2 step 5 and §8: with {@code max-pending-opens} 2 and an upstream whose dial never finishes (a SOCKS5
     * proxy that accepts and never answers, so each dial ends at the agent's {@code connect-timeout}, 5 s here),
     * the third OPEN on is refused at once. A stream reset while dialing is gone at once, but its dial runs on and
     * holds a socket, so it still counts: the next OPEN is refused too. Once the dials have ended, OPENs are taken
     * again.
     */
    @Test
    void aServerEndOpeningPastMaxPendingOpensGetsRefusedStreamsAndKeepsItsSession() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("max-pending-opens", "2"));
                ServerSocket silentProxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RawPeer hostile = scene.hostileServer("proxy:127.0.0.1:9",
                    "socks5://127.0.0.1:" + silentProxy.getLocalPort());
            hostile.send(out -> {
                for (int id = 1; id <= 5; id++) {
                    FrameEncoder.writeOpen(out, id);
                }
            });
            twoFences(hostile);
            assertEquals(List.of(refused(3), refused(4), refused(5)), resets(hostile));

            hostile.send(out -> {
                FrameEncoder.writeReset(out, 1, ErrorCode.CANCEL); // its dial runs on
                FrameEncoder.writeOpen(out, 6);
            });
            twoFences(hostile);
            assertEquals(List.of(refused(3), refused(4), refused(5), refused(6)), resets(hostile),
                    "stream 1's dial still counts after its reset");
            assertEquals(List.of(), hostile.frames().stream().filter(f -> f instanceof Frame.OpenFailed
                    || f instanceof Frame.OpenOk).toList(), "stream 2 is still dialing");
            scene.assertTheGoodAgentIsUntouched(0);

            Frame.OpenFailed timedOut = hostile.await(Frame.OpenFailed.class, f -> true);
            assertEquals(2, timedOut.streamId(), "the dial of stream 2 ended at connect-timeout: " + timedOut);
            int[] nextId = {7};
            Await.until("an OPEN to be taken once stream 1's dial, which began first, has ended too",
                    TunnelFixture.WAIT, () -> {
                        int before = resets(hostile).size();
                        int id = nextId[0]++;
                        try {
                            hostile.send(out -> FrameEncoder.writeOpen(out, id));
                            twoFences(hostile);
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                        return resets(hostile).size() == before;
                    });
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

    private static Set<Integer> openOks(RawPeer peer) {
        return peer.frames().stream().filter(Frame.OpenOk.class::isInstance)
                .map(f -> ((Frame.OpenOk) f).streamId()).collect(Collectors.toSet());
    }

    private static void assertNoGoAway(RawPeer peer) {
        assertFalse(peer.ended(), "the session goes on");
        assertTrue(peer.frames().stream().noneMatch(Frame.GoAway.class::isInstance), "no GO_AWAY: " + peer.frames());
    }
}
