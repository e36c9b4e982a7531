package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §7, flow control, against a real server end whose session window stays at the initial
 * 256 KiB ({@code session-window=256K}), so that half of it is one 128 KiB batch.
 */
@DisplayName("PROTOCOL.md §7: flow control")
class FlowControlConformanceTest {
    private static final int WINDOW = WireConstants.INITIAL_STREAM_WINDOW;
    private static ServerUnderTest server;

    @BeforeAll
    static void start() {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null,
                Map.of("session-window", "256K")));
    }

    @AfterEach
    void cleanUp() throws Exception {
        server.afterEach();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The user uploads {@code bytes} in the background (blocking once the server end stops reading it). */
    private static void upload(Socket user, int bytes) {
        CompletableFuture.runAsync(() -> {
            try {
                Expect.write(user, new byte[bytes]);
            } catch (IOException closedAtTheEnd) {
                // the case closes the user when it is done
            }
        });
    }

    private static void awaitData(RawPeer peer, int streamId, long bytes) {
        Await.until(bytes + " DATA bytes on stream " + streamId, TunnelFixture.WAIT,
                () -> Expect.dataBytes(peer, streamId) >= bytes);
    }

    @Test
    @DisplayName("[7-1] A sender MUST NOT send more DATA on a stream than its credit on that stream, which starts at the initial 256 KiB.")
    @Requirement("7-1")
    void aSenderKeepsToTheStreamWindow() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeOpenOk(out, s.id()));
        upload(s.user(), 1024 * 1024);
        awaitData(peer, s.id(), WINDOW);
        peer.fence();
        assertEquals(WINDOW, Expect.dataBytes(peer, s.id()), "the initial stream window, no more");
    }

    @Test
    @DisplayName("[7-2] A sender MUST NOT send more DATA on the session than its session credit, which starts at the initial 256 KiB.")
    @Requirement("7-2")
    void aSenderKeepsToTheSessionWindow() throws IOException {
        RawPeer peer = server.agent(false); // no session grant: 256 KiB for the whole session
        ServerUnderTest.Stream a = server.open(peer);
        ServerUnderTest.Stream b = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeWindowUpdate(out, a.id(), 1 << 20); // the streams may send far more
            FrameEncoder.writeWindowUpdate(out, b.id(), 1 << 20);
        });
        upload(a.user(), 200_000);
        upload(b.user(), 200_000);
        Await.until("the session window spent", TunnelFixture.WAIT,
                () -> Expect.dataBytes(peer, a.id()) + Expect.dataBytes(peer, b.id()) >= WINDOW);
        peer.fence();
        assertEquals(WINDOW, Expect.dataBytes(peer, a.id()) + Expect.dataBytes(peer, b.id()));
    }

    @Test
    @DisplayName("[7-3] A receiver MUST treat a WINDOW_UPDATE that would take a credit above 2^31−1 (2147483647) as a FLOW_CONTROL_ERROR for the whole connection, whether it names the session or a stream.")
    @Requirement("7-3")
    void aGrantPastTheLargestWindowIsAFlowControlError() throws IOException {
        RawPeer peer = server.agent();
        int id = server.open(peer).id();
        peer.send(out -> FrameEncoder.writeWindowUpdate(out, id, Integer.MAX_VALUE));
        Expect.connectionError(peer, ErrorCode.FLOW_CONTROL_ERROR);
        RawPeer session = server.agent(false);
        session.send(out -> FrameEncoder.writeWindowUpdate(out, 0, Integer.MAX_VALUE));
        Expect.connectionError(session, ErrorCode.FLOW_CONTROL_ERROR);
    }

    @Test
    @DisplayName("[7-4] A receiver MUST treat DATA larger than what remains on the session, or on the stream, as a FLOW_CONTROL_ERROR for the whole connection.")
    @Requirement("7-4")
    void dataBeyondTheWindowIsAFlowControlError() throws IOException {
        RawPeer peer = server.connect(0);
        peer.handshake(ServerUnderTest.TUNNEL);
        peer.startReading();
        Socket user = new Socket();
        user.setReceiveBufferSize(4096); // and never read: credit comes back only for what the kernel takes
        user.connect(new java.net.InetSocketAddress("127.0.0.1", server.fixture.userPort()), 5_000);
        try (user) {
            int id = peer.await(Frame.Open.class, o -> true).streamId();
            peer.send(out -> FrameEncoder.writeOpenOk(out, id));
            byte[] chunk = new byte[WireConstants.MAX_PAYLOAD];
            long sent = 0;
            long bound = WINDOW + 16L * 1024 * 1024; // past any credit a user that reads nothing can earn
            while (sent < bound && !peer.ended() && peer.trySend(out -> {
                FrameEncoder.writeDataHeader(out, id, chunk.length);
                out.writeBytes(chunk);
            })) {
                sent += chunk.length;
            }
            Expect.connectionError(peer, ErrorCode.FLOW_CONTROL_ERROR);
            assertTrue(sent > WINDOW, "cut only past the window, after " + sent + " bytes");
        }
    }

    @Test
    @DisplayName("[7.1-1] once the bytes consumed and not yet returned on a window reach half of that window, the receiver MUST send one WINDOW_UPDATE whose increment is all of them.")
    @Requirement("7.1-1")
    void consumedBytesGoBackInOneUpdateAtHalfTheWindow() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> {
            FrameEncoder.writeOpenOk(out, s.id());
            for (int i = 0; i < 2; i++) {
                FrameEncoder.writeDataHeader(out, s.id(), WireConstants.MAX_PAYLOAD);
                out.writeBytes(new byte[WireConstants.MAX_PAYLOAD]);
            }
        });
        InputStream in = s.user().getInputStream();
        in.readNBytes(WINDOW / 2); // the user takes them
        Frame.WindowUpdate stream = peer.await(Frame.WindowUpdate.class, w -> w.streamId() == s.id());
        Frame.WindowUpdate session = peer.await(Frame.WindowUpdate.class, w -> w.streamId() == 0);
        assertEquals(WINDOW / 2, stream.increment());
        assertEquals(WINDOW / 2, session.increment());
        assertEquals(1, Expect.of(peer, Frame.WindowUpdate.class).stream().filter(w -> w.streamId() == s.id()).count());
    }

    @Test
    @DisplayName("[7.1-2] A receiver MUST count bytes that will never be consumed through a live stream as consumed for the session window at once: DATA for a stream that is gone (§5.5), bytes held for a stream that is reset or refused, and bytes of a stream that reaches CLOSED before they were consumed.")
    @Requirement("7.1-2")
    void dataForAStreamThatIsGoneIsCreditedToTheSessionAtOnce() throws IOException {
        RawPeer peer = server.agent();
        int id = server.open(peer).id();
        peer.send(out -> {
            FrameEncoder.writeReset(out, id, ErrorCode.CANCEL);
            for (int i = 0; i < 2; i++) {
                FrameEncoder.writeDataHeader(out, id, WireConstants.MAX_PAYLOAD);
                out.writeBytes(new byte[WireConstants.MAX_PAYLOAD]);
            }
        });
        Frame.WindowUpdate session = peer.await(Frame.WindowUpdate.class, w -> w.streamId() == 0);
        assertEquals(WINDOW / 2, session.increment());
    }

    @Test
    @DisplayName("[7.3-1] While the usable credit is below 1024 bytes and smaller than what the stream has queued, the sender MUST NOT send DATA on the stream: it waits for more credit.")
    @Requirement("7.3-1")
    void aSenderWaitsFor1024BytesOfCreditWhileMoreIsQueued() throws IOException {
        RawPeer peer = server.agent();
        ServerUnderTest.Stream s = server.open(peer);
        peer.send(out -> FrameEncoder.writeOpenOk(out, s.id()));
        upload(s.user(), 1024 * 1024);
        awaitData(peer, s.id(), WINDOW);
        peer.send(out -> FrameEncoder.writeWindowUpdate(out, s.id(), 1000));
        peer.fence();
        assertEquals(WINDOW, Expect.dataBytes(peer, s.id()), "DATA on less than 1024 bytes of credit");
        peer.send(out -> FrameEncoder.writeWindowUpdate(out, s.id(), 24));
        awaitData(peer, s.id(), WINDOW + 1);
        peer.fence();
        assertTrue(Expect.dataBytes(peer, s.id()) <= WINDOW + 1024);
    }
}
