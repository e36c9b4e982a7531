package dev.itt.mux.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of the codec over many seeded-random cases; a failure names its seed. */
class FrameCodecPropertiesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyFramesSurviveEncodeAndDecodeUnderAnyChunking(long seed) throws MuxException {
        Random r = new Random(seed);
        List<Frame> sent = new ArrayList<>();
        ByteBuf wire = ALLOC.buffer();
        for (int i = 1 + r.nextInt(20); i > 0; i--) {
            Frame f = RandomFrames.next(r);
            sent.add(f);
            FrameEncoder.encode(f, wire);
        }
        FrameCollector collector = new FrameCollector();
        FrameDecoder decoder = new FrameDecoder();
        while (wire.isReadable()) {
            int n = Math.min(wire.readableBytes(), 1 + r.nextInt(r.nextBoolean() ? 16 : 40_000));
            // each chunk is a separate pooled buffer, as reads from a socket are
            ByteBuf chunk = ALLOC.directBuffer(n);
            chunk.writeBytes(wire, n);
            decoder.decode(chunk, collector);
        }
        wire.release();
        assertEquals(sent, collector.frames, "seed " + seed);
        assertEquals(0, decoder.pendingBytes(), "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesNeverEscapeTheDecoderOtherThanAsAProtocolError(long seed) {
        Random r = new Random(seed);
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        try {
            for (int i = 0; i < 50; i++) {
                ByteBuf chunk = ALLOC.buffer();
                chunk.writeBytes(RandomFrames.bytes(r, 1 + r.nextInt(200)));
                decoder.decode(chunk, collector);
            }
        } catch (MuxException expected) {
            return;
        } catch (RuntimeException e) {
            fail("seed " + seed + ": decoder threw " + e, e);
        } finally {
            decoder.release();
        }
    }
}
