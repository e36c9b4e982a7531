package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.NativeCodec;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The DATA a session's {@link Sender} writes (docs/PROTOCOL.md §7.3, §8): a real server session over a transport
 * that decodes its frames, with the agent played frame by frame, so the test decides every grant of credit and
 * every moment the transport has room.
 */
class SenderTest {
    private static final int WINDOW = WireConstants.INITIAL_STREAM_WINDOW;
    private static final int CHUNK = WireConstants.MAX_PAYLOAD;

    private final RecordingTransport wire = new RecordingTransport();
    private Session server;

    /** A server session past its handshake; the agent has granted no session credit beyond the initial window. */
    private void establish(Dialect dialect) {
        server = new Session(Role.SERVER, wire, TestConfigs.session("t", null), new SessionRecorder(), dialect);
        wire.owner(server);
        server.start(System.nanoTime());
        if (dialect.handshake()) {
            fromAgent(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "t", new byte[32]));
            fromAgent(out -> FrameEncoder.writeAuth(out, new byte[0]));
        }
        assertTrue(server.isEstablished());
        wire.newFrames();
        wire.drain();
    }

    private void fromAgent(Consumer<ByteBuf> frames) {
        ByteBuf buf = Unpooled.buffer();
        frames.accept(buf);
        server.onRead(buf);
    }

    private void grantSession(int increment) {
        fromAgent(out -> FrameEncoder.writeWindowUpdate(out, 0, increment));
    }

    private void grant(MuxStream s, int increment) {
        fromAgent(out -> FrameEncoder.writeWindowUpdate(out, s.id(), increment));
    }

    private MuxStream open(StreamRecorder recorder) {
        MuxStream s = server.open();
        s.handler(recorder);
        return s;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The streams and sizes of the DATA frames in {@code frames}, as "stream:bytes". */
    private static List<String> data(List<Frame> frames) {
        List<String> out = new ArrayList<>();
        for (Frame f : frames) {
            if (f instanceof Frame.Data d) {
                out.add(d.streamId() + ":" + d.payload().readableBytes());
            }
        }
        return out;
    }

    @Test
    void dataGoesOutOnlyAsFarAsTheStreamCreditAllows() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        MuxStream s = open(new StreamRecorder());
        byte[] bytes = random(WINDOW + 100_000, 1);
        s.write(Unpooled.wrappedBuffer(bytes));
        assertEquals(List.of("1:65536", "1:65536", "1:65536", "1:65536"), data(wire.newFrames()),
                "the stream's initial window, in frames of at most 64 KiB");

        grant(s, 30_000);
        assertEquals(List.of("1:30000"), data(wire.newFrames()), "exactly the new credit");
        grant(s, 70_000);
        assertArrayEquals(bytes, wire.payload(s.id()), "every byte, in order, once the credit covers them");
        assertEquals(0, server.bufferedBytes());
    }

    @Test
    void dataGoesOutOnlyAsFarAsTheSessionCreditAllows() {
        establish(Dialect.nativeProtocol());
        MuxStream a = open(new StreamRecorder());
        MuxStream b = open(new StreamRecorder());
        grant(a, WINDOW);
        grant(b, WINDOW);
        a.write(Unpooled.wrappedBuffer(random(200_000, 2)));
        b.write(Unpooled.wrappedBuffer(random(200_000, 3)));
        assertEquals(200_000, wire.dataBytes(a.id()));
        assertEquals(WINDOW - 200_000, wire.dataBytes(b.id()), "the rest of the session's initial window");
        wire.newFrames();

        grantSession(10_000);
        assertEquals(List.of("2:10000"), data(wire.newFrames()), "b waited for session credit, and took no more");
    }

    @Test
    void streamCreditBelowTheMinimumChunkIsNotUsedWhileMoreIsQueued() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        MuxStream s = open(new StreamRecorder());
        s.write(Unpooled.wrappedBuffer(random(WINDOW + 5_000, 4)));
        wire.newFrames();
        for (int i = 0; i < 10; i++) {
            grant(s, 100); // a window-update dribble: 1000 bytes of credit, 100 at a time
        }
        assertEquals(List.of(), data(wire.newFrames()), "no tiny DATA frames in answer to a dribble");
        grant(s, Sender.MIN_CHUNK - 1000);
        assertEquals(List.of("1:" + Sender.MIN_CHUNK), data(wire.newFrames()), "one frame once the credit is worth it");
    }

    @Test
    void sessionCreditBelowTheMinimumChunkIsNotUsedWhileMoreIsQueued() {
        establish(Dialect.nativeProtocol());
        MuxStream s = open(new StreamRecorder());
        grant(s, WINDOW);
        s.write(Unpooled.wrappedBuffer(random(WINDOW + 5_000, 5)));
        wire.newFrames();
        for (int i = 0; i < 10; i++) {
            grantSession(100);
        }
        assertEquals(List.of(), data(wire.newFrames()), "the stream waits in line, sending nothing");
        grantSession(Sender.MIN_CHUNK - 1000);
        assertEquals(List.of("1:" + Sender.MIN_CHUNK), data(wire.newFrames()), "and goes once the credit is worth it");
    }

    @Test
    void aWriteSmallerThanTheMinimumChunkGoesOutWhenItIsAllTheStreamHasQueued() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        MuxStream s = open(new StreamRecorder());
        s.write(Unpooled.wrappedBuffer(random(WINDOW - 500, 6)));
        wire.newFrames();
        s.write(Unpooled.wrappedBuffer(random(300, 7)));
        assertEquals(List.of("1:300"), data(wire.newFrames()), "300 bytes queued, 500 of credit: sent");
        s.write(Unpooled.wrappedBuffer(random(400, 8)));
        assertEquals(List.of(), data(wire.newFrames()), "400 bytes queued, 200 of credit: held for more credit");
    }

    @Test
    void streamsHeldBackBySessionCreditTakeTurnsAsItReturns() {
        establish(Dialect.nativeProtocol());
        MuxStream a = open(new StreamRecorder());
        MuxStream b = open(new StreamRecorder());
        grant(a, 4 * WINDOW);
        grant(b, 4 * WINDOW);
        a.write(Unpooled.wrappedBuffer(random(WINDOW + 4 * CHUNK, 9)));
        b.write(Unpooled.wrappedBuffer(random(4 * CHUNK, 10)));
        assertEquals(WINDOW, wire.dataBytes(a.id()), "a took the whole session window; both now wait, a first");
        wire.newFrames();

        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            grantSession(CHUNK);
            turns.addAll(data(wire.newFrames()));
        }
        assertEquals(List.of("1:65536", "2:65536", "1:65536", "2:65536", "1:65536", "2:65536"), turns);
    }

    @Test
    void streamsHeldBackByAFullTransportTakeTurnsAsItDrains() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        wire.highWater(CHUNK);
        MuxStream a = open(new StreamRecorder());
        MuxStream b = open(new StreamRecorder());
        a.write(Unpooled.wrappedBuffer(random(4 * CHUNK, 11)));
        b.write(Unpooled.wrappedBuffer(random(4 * CHUNK, 12)));
        assertEquals(List.of("1:65536"), data(wire.newFrames()), "one frame fills the transport; b waits behind a");

        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wire.drain();
            turns.addAll(data(wire.newFrames()));
        }
        assertEquals(List.of("1:65536", "2:65536", "1:65536", "2:65536"), turns);
    }

    @Test
    void finGoesOutOnlyAfterEveryQueuedByte() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        MuxStream s = open(new StreamRecorder());
        byte[] bytes = random(WINDOW + 50_000, 13);
        s.write(Unpooled.wrappedBuffer(bytes));
        s.end();
        assertTrue(wire.newFrames().stream().noneMatch(f -> f instanceof Frame.Fin), "50000 bytes still queued");

        wire.block();
        grant(s, 50_000);
        assertEquals(List.of(), wire.newFrames(), "the transport is full: neither the bytes nor the FIN");
        wire.drain();
        List<Frame> last = wire.newFrames();
        assertEquals(List.of("1:50000"), data(last));
        assertEquals(new Frame.Fin(s.id()), last.get(last.size() - 1), "FIN after the last byte");
        assertArrayEquals(bytes, wire.payload(s.id()));
    }

    @Test
    void theSourceHearsOnWritableOnceTheQueueFallsBelowTheLowWaterMark() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        StreamRecorder source = new StreamRecorder();
        MuxStream s = open(source);
        s.write(Unpooled.wrappedBuffer(random(WINDOW, 14)));
        s.write(Unpooled.wrappedBuffer(random(100_000, 15)));
        assertTrue(s.writeQueueFull(), "100000 bytes queued, over the high-water mark");

        grant(s, 50_000);
        assertEquals(0, source.writableCalls, "50000 still queued: above the low-water mark");
        grant(s, 100_000 - 50_000 - MuxStream.LOW_WATER);
        assertEquals(1, source.writableCalls, "down to the low-water mark");
        grant(s, MuxStream.LOW_WATER);
        assertEquals(0, s.bufferedBytes());
        assertEquals(1, source.writableCalls, "once per time the queue was full");
    }

    @Test
    void withCreditAServerStreamSendsBeforeTheAgentConfirmsTheOpen() {
        establish(Dialect.nativeProtocol());
        MuxStream s = open(new StreamRecorder());
        s.write(Unpooled.wrappedBuffer(random(1_000, 16)));
        List<Frame> frames = wire.newFrames();
        assertEquals(new Frame.Open(s.id()), frames.get(0));
        assertEquals(List.of("1:1000"), data(frames), "no OPEN_OK yet, and the bytes went out (PROTOCOL.md §5.2)");
    }

    @Test
    void withPausedReadsAServerStreamSendsNothingBeforeOpenOkThenEverything() {
        ReadSwitch reads = new ReadSwitch() {
            @Override
            public void pauseReading() {}

            @Override
            public void resumeReading() {}
        };
        establish(new Dialect(new NativeCodec(), new Flow.PauseReading(reads), false, false, true, false));
        MuxStream s = open(new StreamRecorder());
        byte[] bytes = random(4 * WINDOW, 17);
        s.write(Unpooled.wrappedBuffer(bytes));
        s.end();
        assertEquals(List.of(new Frame.Open(1)), wire.newFrames(), "the agent has not confirmed the open");

        fromAgent(out -> FrameEncoder.writeOpenOk(out, s.id()));
        List<Frame> after = wire.newFrames();
        assertArrayEquals(bytes, wire.payload(s.id()), "no credit to wait for: everything at once");
        assertEquals(new Frame.Fin(s.id()), after.get(after.size() - 1));
    }

    @Test
    void aResetStreamsQueueIsDropped() {
        establish(Dialect.nativeProtocol());
        grantSession(16 * WINDOW);
        MuxStream s = open(new StreamRecorder());
        s.write(Unpooled.wrappedBuffer(random(WINDOW + 100_000, 18)));
        assertEquals(100_000, server.bufferedBytes());
        wire.newFrames();

        s.reset(ErrorCode.CANCEL);
        assertEquals(List.of(new Frame.Reset(s.id(), ErrorCode.CANCEL)), wire.newFrames());
        assertEquals(0, server.bufferedBytes(), "the queued bytes are released");
        grant(s, WINDOW); // crossed the RESET on the wire
        assertEquals(List.of(), wire.newFrames(), "nothing more for the stream");
    }

    @Test
    void aStreamResetWhileWaitingInLineIsPassedOver() {
        establish(Dialect.nativeProtocol());
        MuxStream a = open(new StreamRecorder());
        MuxStream b = open(new StreamRecorder());
        grant(a, 4 * WINDOW);
        grant(b, 4 * WINDOW);
        a.write(Unpooled.wrappedBuffer(random(WINDOW + CHUNK, 19)));
        b.write(Unpooled.wrappedBuffer(random(CHUNK, 20)));
        wire.newFrames();

        fromAgent(out -> FrameEncoder.writeReset(out, a.id(), ErrorCode.CANCEL));
        grantSession(CHUNK);
        assertEquals(List.of("2:65536"), data(wire.newFrames()), "b's turn comes at once; a's bytes are gone");
        assertEquals(0, server.bufferedBytes());
    }
}
