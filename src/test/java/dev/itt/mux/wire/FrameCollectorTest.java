package dev.itt.mux.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared test listener keeps the decoder's ownership rule (the listener releases DATA) in both modes. */
class FrameCollectorTest {

    private static ByteBuf encoded() {
        ByteBuf wire = PooledByteBufAllocator.DEFAULT.directBuffer();
        FrameEncoder.writeDataHeader(wire, 3, 5);
        wire.writeCharSequence("hello", StandardCharsets.US_ASCII);
        FrameEncoder.writeFin(wire, 3);
        return wire;
    }

    private static ByteBuf pooledPayload(String text) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer();
        b.writeCharSequence(text, StandardCharsets.US_ASCII);
        return b;
    }

    @Test
    void aRecordingCollectorKeepsACopyOfEachPayloadAndReleasesTheDecodersBuffer() {
        FrameCollector c = new FrameCollector();
        ByteBuf payload = pooledPayload("hello");
        c.onData(3, payload);
        c.onFin(3);
        assertEquals(0, payload.refCnt(), "the decoder's buffer was released");
        assertEquals(List.of(new Frame.Data(3, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)),
                new Frame.Fin(3)), c.frames, "the copy outlives the released buffer");
        assertEquals(2, c.frameCount());
        assertEquals(5, c.dataBytes());
    }

    @Test
    void aCountingCollectorRecordsNothingButCountsAndReleases() {
        FrameCollector c = FrameCollector.counting();
        ByteBuf payload = pooledPayload("hello");
        c.onData(3, payload);
        c.onWindowUpdate(3, 100);
        c.onPing(false, 1);
        assertEquals(0, payload.refCnt(), "the decoder's buffer was released");
        assertEquals(List.of(), c.frames);
        assertEquals(3, c.frameCount());
        assertEquals(5, c.dataBytes());
    }

    @Test
    void bothModesSeeTheSameFramesFromTheDecoder() throws MuxException {
        FrameCollector recording = new FrameCollector();
        FrameCollector counting = FrameCollector.counting();
        new FrameDecoder().decode(encoded(), recording);
        new FrameDecoder().decode(encoded(), counting);
        assertEquals(List.of(new Frame.Data(3, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)),
                new Frame.Fin(3)), recording.frames);
        assertEquals(recording.frameCount(), counting.frameCount());
        assertEquals(recording.dataBytes(), counting.dataBytes());
    }
}
