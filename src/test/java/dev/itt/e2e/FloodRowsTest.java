package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.FrameType;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Users;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flood rows of the HTTP/2 denial-of-service findings (docs/PROTOCOL.md §8), each played by a hostile raw
 * peer against a real server end that another agent's echo transfer goes through: the hostile connection, and
 * only it, is cut with the code and reason the spec gives, and the transfer ends byte-exact.
 *
 * <p>The per-second counters restart on a once-a-second tick that the test does not control. So that a row never
 * depends on where a tick falls, each flood sends at least ten times the limit in one write, or, for a flood that
 * needs a round trip per frame, keeps going until it is cut and bounds how long that may take.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FloodRowsTest {

    /**
     * Rapid reset (CVE-2023-44487). Only the server end opens streams, so the agent's version of the game is to
     * take each stream a user brings and throw it away at once: OPEN_OK, then RESET, as fast as users come.
     */
    @Test
    void rapidOpenOkAndResetChurnIsCutAtTheResetRate() throws Exception {
        int limit = 3;
        try (UnderAttack scene = UnderAttack.start(Map.of("max-resets-per-second", String.valueOf(limit)))) {
            RawPeer hostile = scene.hostileAgent();
            int lastId = 0;
            int rounds = 0;
            while (!hostile.ended() && rounds < 200) {
                UnderAttack.HostileStream s;
                try {
                    s = scene.openOn(hostile, lastId, 0);
                } catch (AssertionError cutMeanwhile) {
                    break; // the peer's session ended while this user came: the loop's condition says why
                }
                lastId = s.id();
                int id = s.id();
                hostile.trySend(out -> {
                    FrameEncoder.writeOpenOk(out, id);
                    FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
                });
                rounds++;
                readToEnd(s); // the reset stream's user is closed: the next one comes after
            }
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, goAway.code(), goAway.reason());
            assertTrue(goAway.reason().contains("more than " + limit + " stream resets"), goAway.reason());
            assertTrue(rounds > limit, "cut only past the limit, after " + rounds + " streams");
            scene.loggedClose("ENHANCE_YOUR_CALM");
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /**
     * Made-you-reset (CVE-2025-8671): frames that make the server end reset a stream itself, here DATA after the
     * peer's own FIN (§5.4). The server end resets that stream once and then ignores whatever else comes for it,
     * so the trick costs the attacker a stream the server opened per reset, and users are what open streams.
     */
    @Test
    void madeYouResetGetsOneResetPerStreamNotOnePerFrame() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            UnderAttack.HostileStream s = scene.openOn(hostile);
            hostile.send(out -> {
                FrameEncoder.writeOpenOk(out, s.id());
                FrameEncoder.writeFin(out, s.id());
                for (int i = 0; i < 10_000; i++) {
                    FrameEncoder.writeDataHeader(out, s.id(), 1);
                    out.writeByte(i);
                }
                FrameEncoder.writePing(out, false, 0xbad); // answered after all of the above was handled
            });
            hostile.await(Frame.Ping.class, p -> p.ack() && p.payload() == 0xbad);
            List<Frame.Reset> resets = hostile.frames().stream()
                    .filter(f -> f instanceof Frame.Reset r && r.streamId() == s.id()).map(Frame.Reset.class::cast)
                    .toList();
            assertEquals(List.of(new Frame.Reset(s.id(), ErrorCode.PROTOCOL_ERROR)), resets);
            readToEnd(s);
            assertTrue(!hostile.ended(), "frames for a stream that is gone are ignored, not fatal (§5.5)");
            hostile.close();
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    /** Reset flood (CVE-2019-9514): RESETs for a stream the server end opened once, far past the rate. */
    @Test
    void aResetFloodIsCutAtTheResetRate() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            int id = scene.openOn(hostile).id();
            hostile.trySend(out -> {
                FrameEncoder.writeOpenFailed(out, id, ErrorCode.CONNECT_REFUSED, "no");
                for (int i = 0; i < 20_000; i++) {
                    FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
                }
            });
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, goAway.code());
            assertTrue(goAway.reason().contains("more than 2000 stream resets"), goAway.reason());
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /** Ping flood (CVE-2019-9512) from a peer that reads the answers: the PING rate. */
    @Test
    void aPingFloodIsCutAtThePingRate() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            hostile.trySend(out -> {
                for (int i = 0; i < 1_000; i++) {
                    FrameEncoder.writePing(out, false, i);
                }
            });
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, goAway.code());
            assertTrue(goAway.reason().contains("more than 100 PINGs in a second"), goAway.reason());
            long acks = hostile.frames().stream().filter(f -> f instanceof Frame.Ping p && p.ack()).count();
            // one tick may fall between two reads of the flood, and the count starts again there
            assertTrue(acks <= 2 * 100, acks + " PINGs answered");
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /**
     * Ping flood from a peer that never reads its socket: with the rates out of the way, the answers pile up on
     * the server end until its queue passes {@code max-queued-bytes}. The GO_AWAY itself sits behind that queue,
     * so the logged reason is what shows the cause.
     */
    @Test
    void aPingFloodFromAPeerThatNeverReadsIsCutByTheQueuedBytesLimit() throws Exception {
        // above the 1 MiB of DATA a busy session may have queued by design (SocketTransport's high-water mark)
        long maxQueued = 4L * 1024 * 1024;
        try (UnderAttack scene = UnderAttack.start(Map.of("max-queued-bytes", String.valueOf(maxQueued),
                "max-pings-per-second", "1000000000", "max-control-frames-per-second", "1000000000"))) {
            RawPeer hostile = scene.connect(4096);
            hostile.handshake("t"); // the last read it ever does
            long pings = 0;
            long bound = 64L * 1024 * 1024 / 17; // far past queue and kernel buffers: 64 MiB of answers
            while (pings < bound) {
                long from = pings;
                if (!hostile.trySend(out -> {
                    for (int i = 0; i < 10_000; i++) {
                        FrameEncoder.writePing(out, false, from + i);
                    }
                })) {
                    break;
                }
                pings += 10_000;
                if (!scene.log.matching("peer does not read").isEmpty()) {
                    break;
                }
            }
            String line = scene.log.await("peer does not read");
            assertTrue(line.contains("(ENHANCE_YOUR_CALM)"), line);
            assertTrue(pings * 17 > maxQueued, "cut after " + pings + " PINGs, not before the queue could be full");
            scene.assertTheGoodAgentIsUntouched(1);
        }
    }

    /**
     * Empty frames (CVE-2019-9518): FIN has no payload and is legal on a stream opened once, so a flood of them
     * costs the server end work and nothing else; the control-frame rate ends it.
     */
    @Test
    void aFloodOfEmptyFramesIsCutAtTheControlFrameRate() throws Exception {
        int limit = 20_000; // low enough that ten times it is one write of 1.8 MB
        try (UnderAttack scene = UnderAttack.start(Map.of("max-control-frames-per-second", String.valueOf(limit)))) {
            RawPeer hostile = scene.hostileAgent();
            int id = scene.openOn(hostile).id();
            hostile.trySend(out -> {
                FrameEncoder.writeOpenFailed(out, id, ErrorCode.CONNECT_REFUSED, "no");
                for (int i = 0; i < 10 * limit; i++) {
                    FrameEncoder.writeFin(out, id);
                }
            });
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, goAway.code());
            assertTrue(goAway.reason().contains("more than " + limit + " control frames"), goAway.reason());
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /** Empty DATA is not a flood the rates must catch: the first one is a FRAME_SIZE_ERROR (§3). */
    @Test
    void anEmptyDataFrameIsAFrameSizeErrorAtOnce() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            UnderAttack.HostileStream s = scene.openOn(hostile);
            hostile.trySend(out -> {
                FrameEncoder.writeOpenOk(out, s.id());
                for (int i = 0; i < 1_000; i++) {
                    FrameEncoder.writeHeader(out, 0, FrameType.DATA, 0, s.id());
                }
            });
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, goAway.code(), goAway.reason());
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /**
     * One-byte DATA frames in bulk are legal (§3: 1..65536) and not control frames: the receiver pays a frame per
     * byte, within the window. The bytes arrive whole and in order, and the peer is not cut for them.
     */
    @Test
    void oneByteDataFramesInBulkAreDeliveredWithinTheWindow() throws Exception {
        int frames = 100_000;
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            UnderAttack.HostileStream s = scene.openOn(hostile);
            byte[] expected = new byte[frames];
            new java.util.Random(frames).nextBytes(expected);
            hostile.send(out -> {
                FrameEncoder.writeOpenOk(out, s.id());
                for (byte b : expected) {
                    FrameEncoder.writeDataHeader(out, s.id(), 1);
                    out.writeByte(b);
                }
                FrameEncoder.writeFin(out, s.id());
            });
            s.user().shutdownOutput();
            byte[] got = Users.readAll(s.user().getInputStream());
            assertTrue(java.util.Arrays.equals(expected, got), "the user got " + got.length + " of " + frames);
            assertTrue(!hostile.ended(), "the peer sending them is not cut");
            hostile.close();
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    private static void readToEnd(UnderAttack.HostileStream s) {
        try {
            Users.readAll(s.user().getInputStream());
        } catch (IOException reset) {
            // a reset stream may end its user's connection either way
        }
    }
}
