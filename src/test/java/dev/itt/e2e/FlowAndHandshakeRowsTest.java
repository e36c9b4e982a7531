package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TunnelFixture;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attack rows against flow control and the handshake (docs/PROTOCOL.md §4, §7, §8), each played by a hostile
 * raw peer against a real server end while another agent's echo transfer goes through it: the hostile connection
 * is cut, or its trick gains it nothing, and the transfer ends byte-exact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FlowAndHandshakeRowsTest {
    private static final int WINDOW = WireConstants.INITIAL_STREAM_WINDOW;

    /**
     * Window-update dribble (CVE-2019-9511): with a user's megabyte queued behind a spent window, the peer grants
     * credit one byte at a time. The server end waits for 1024 bytes of credit (§7.3), so the dribble buys a DATA
     * frame per 1024 grants, not a frame per grant. (Seen in 25 runs: two frames of exactly 1024 bytes.)
     */
    @Test
    void aWindowUpdateDribbleGetsNoDataFrameBelowTheMinimumChunk() throws Exception {
        int grants = 3_000;
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            UnderAttack.HostileStream s = scene.openOn(hostile);
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.user().getOutputStream();
                    out.write(new byte[1024 * 1024]); // blocks once the server end stops reading it
                } catch (java.io.IOException closedAtTheEnd) {
                    // the test closes this user when it is done
                }
            });
            hostile.send(out -> FrameEncoder.writeOpenOk(out, s.id()));
            Await.until("the stream's initial window to be spent", TunnelFixture.WAIT,
                    () -> dataBytes(data(hostile, s.id())) >= WINDOW);
            List<Frame.Data> beforeDribble = data(hostile, s.id());
            assertEquals(WINDOW, dataBytes(beforeDribble), "the server end kept to the window");

            hostile.send(out -> {
                for (int i = 0; i < grants; i++) {
                    FrameEncoder.writeWindowUpdate(out, s.id(), 1);
                }
                FrameEncoder.writePing(out, false, 0x5eed); // answered after every grant before it was handled
            });
            hostile.await(Frame.Ping.class, p -> p.ack() && p.payload() == 0x5eed);
            List<Frame.Data> dribbled = data(hostile, s.id()).subList(beforeDribble.size(),
                    data(hostile, s.id()).size());

            List<Integer> sizes = dribbled.stream().map(d -> d.payload().readableBytes()).toList();
            assertTrue(!sizes.isEmpty(), "the credit granted, once past 1024 bytes, was used");
            assertTrue(dataBytes(dribbled) <= grants, sizes + " sent on " + grants + " bytes of credit");
            // §7.3: queued buffers are not merged. Where the spent window cut a buffer the user's socket gave,
            // the rest of it goes out alone once the credit reaches 1024, and may be shorter; that can happen
            // once here, never once per grant.
            assertTrue(sizes.stream().filter(n -> n < 1024).count() <= 1, "DATA below 1024 bytes: " + sizes);
            assertTrue(sizes.size() <= grants / 1024 + 1, sizes + ": more frames than 1024-byte steps of credit");
            assertTrue(!hostile.ended(), "a slow grant is no error");
            hostile.close();
            s.user().close();
            upload.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    /**
     * Data beyond the window: the user never reads (so credit comes back for little), and the peer never answers a
     * PING (so the window is never auto-tuned); it sends its initial window and megabytes more.
     */
    @Test
    void dataBeyondTheWindowIsAFlowControlError() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            UnderAttack.HostileStream s = scene.openOn(hostile, 0, 4096);
            hostile.send(out -> FrameEncoder.writeOpenOk(out, s.id()));
            byte[] chunk = new byte[WireConstants.MAX_PAYLOAD];
            long sent = 0;
            long bound = WINDOW + 8L * 1024 * 1024; // past any credit a user that reads nothing can earn
            while (sent < bound && !hostile.ended() && hostile.trySend(out -> {
                FrameEncoder.writeDataHeader(out, s.id(), chunk.length);
                out.writeBytes(chunk);
            })) {
                sent += chunk.length;
            }
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.FLOW_CONTROL_ERROR, goAway.code(), goAway.reason());
            assertTrue(goAway.reason().contains("exceeds its window"), goAway.reason());
            assertTrue(sent > WINDOW, "cut only past the window, after " + sent + " bytes");
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /** A handshake dribbled a byte per write still completes: the decoder keeps partial frames (§2). */
    @Test
    void aHandshakeDribbledOneByteAtATimeCompletes() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer slow = scene.connect(0);
            slow.dribble(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "t", RawPeer.nonce()));
            slow.readUntil(Frame.Challenge.class::isInstance);
            slow.dribble(out -> FrameEncoder.writeAuth(out, new byte[0]));
            slow.readUntil(Frame.Welcome.class::isInstance);
            slow.dribble(out -> FrameEncoder.writePing(out, false, 7));
            slow.readUntil(f -> f instanceof Frame.Ping p && p.ack() && p.payload() == 7);
            Await.until("the server end to count the dribbling agent", TunnelFixture.WAIT,
                    () -> scene.tunnel.server.stats().agents() == 2);
            slow.close();
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    /**
     * Handshakes that never finish: one stops after HELLO, one sends nothing at all. Both are cut with
     * HANDSHAKE_TIMEOUT once {@code handshake-timeout} (1 s here) has passed, checked on the tick (up to 1 s late).
     */
    @Test
    void handshakesThatNeverFinishAreCutAtTheHandshakeTimeout() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("handshake-timeout", "1s"))) {
            long start = System.nanoTime();
            RawPeer afterHello = scene.connect(0);
            RawPeer silent = scene.connect(0);
            afterHello.send(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "t", RawPeer.nonce()));
            afterHello.readUntil(Frame.Challenge.class::isInstance);
            afterHello.startReading();
            silent.startReading();
            for (RawPeer p : List.of(afterHello, silent)) {
                Frame.GoAway goAway = p.awaitGoAway();
                assertEquals(ErrorCode.HANDSHAKE_TIMEOUT, goAway.code(), goAway.reason());
                p.awaitClosed();
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis >= 1_000, "cut after " + tookMillis + " ms, not before the timeout");
            scene.assertTheGoodAgentIsUntouched(2);
        }
    }

    /** An absurd length on an established session: FRAME_SIZE_ERROR on the header, with no payload sent (§2). */
    @Test
    void anAbsurdFrameLengthIsRefusedOnTheHeaderAlone() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer hostile = scene.hostileAgent();
            hostile.send(out -> FrameEncoder.writeHeader(out, 0xFF_FFFF, FrameType.DATA, 0, 1));
            Frame.GoAway goAway = hostile.awaitGoAway();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, goAway.code(), goAway.reason());
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /** The same before any handshake: a stranger's first header claims 16 MiB; refused before it is read. */
    @Test
    void anAbsurdLengthInTheFirstHeaderIsRefusedBeforeTheHandshake() throws Exception {
        try (UnderAttack scene = UnderAttack.start()) {
            RawPeer stranger = scene.connect(0);
            stranger.send(out -> FrameEncoder.writeHeader(out, 0xFF_FFFF, FrameType.HELLO, 0, 0));
            stranger.startReading();
            Frame.GoAway goAway = stranger.awaitGoAway();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, goAway.code(), goAway.reason());
            scene.assertOnlyTheHostileWasCut(stranger);
        }
    }

    private static List<Frame.Data> data(RawPeer peer, int streamId) {
        return peer.frames().stream().filter(f -> f instanceof Frame.Data d && d.streamId() == streamId)
                .map(Frame.Data.class::cast).toList();
    }

    private static long dataBytes(List<Frame.Data> frames) {
        return frames.stream().mapToLong(d -> d.payload().readableBytes()).sum();
    }
}
