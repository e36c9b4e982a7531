package dev.itt.mux.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Jazzer fuzzing of the decoder: whatever the bytes and however they are split, the decoder returns frames or a
 * {@link MuxException}, never anything else. A normal run replays the corpus; {@code JAZZER_FUZZ=1} fuzzes.
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decoderOnlyEverThrowsProtocolErrors(byte[] input) {
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        int split = input.length == 0 ? 0 : (input[0] & 0xFF) % (input.length + 1);
        try {
            decoder.decode(Unpooled.wrappedBuffer(input, 0, split), collector);
            decoder.decode(Unpooled.wrappedBuffer(input, split, input.length - split), collector);
        } catch (MuxException expected) {
            // the only way out for bad input
        } finally {
            decoder.release();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void decodedFramesReencodeToTheSameBytes(byte[] input) {
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        try {
            decoder.decode(Unpooled.wrappedBuffer(input), collector);
        } catch (MuxException expected) {
            return;
        }
        int consumed = input.length - decoder.pendingBytes();
        decoder.release();
        ByteBuf again = Unpooled.buffer();
        for (Frame f : collector.frames) {
            FrameEncoder.encode(f, again);
        }
        byte[] expected = java.util.Arrays.copyOf(input, consumed);
        byte[] actual = new byte[again.readableBytes()];
        again.readBytes(actual);
        // flags other than PING's ACK are ignored on decode, and an unknown error code reads as UNKNOWN: normalise
        if (!java.util.Arrays.equals(normalise(expected), normalise(actual)) && !hasLossyFields(collector)) {
            throw new AssertionError("re-encoding differs:\n" + io.netty.buffer.ByteBufUtil.hexDump(expected) + "\n"
                    + io.netty.buffer.ByteBufUtil.hexDump(actual));
        }
    }

    /** Unknown error codes read as UNKNOWN and malformed UTF-8 text is replaced: such frames do not round-trip. */
    private static boolean hasLossyFields(FrameCollector c) {
        return c.frames.stream().anyMatch(f -> (f instanceof Frame.Reset r && r.code() == ErrorCode.UNKNOWN)
                || f instanceof Frame.OpenFailed || f instanceof Frame.GoAway || f instanceof Frame.Hello);
    }

    /** Zeroes the flags byte of every frame (ignored by the decoder except PING's ACK bit). */
    private static byte[] normalise(byte[] wire) {
        byte[] b = wire.clone();
        int i = 0;
        while (i + WireConstants.HEADER_LENGTH <= b.length) {
            int length = ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
            int type = b[i + 3] & 0xFF;
            b[i + 4] = (byte) (type == FrameType.PING.code() ? b[i + 4] & WireConstants.FLAG_ACK : 0);
            i += WireConstants.HEADER_LENGTH + length;
        }
        return b;
    }
}
