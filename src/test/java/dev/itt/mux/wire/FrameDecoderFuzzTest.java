package dev.itt.mux.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.itt.testing.FuzzInput;
import dev.itt.testing.FuzzTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzzing of the decoder: whatever the bytes and however they are split, the decoder returns frames or a
 * {@link MuxException}, never anything else. A normal run replays the seed corpus; {@code JAZZER_FUZZ=1} fuzzes from
 * it. The seeds sit directly in {@code FrameDecoderFuzzTestInputs/} beside this class (src/test/resources), where
 * Jazzer gives them to every fuzz test of the class: each vector of docs/PROTOCOL.md Appendix A under its name, all
 * valid vectors in one sequence, and a truncated header and payload.
 */
class FrameDecoderFuzzTest {

    @FuzzTarget
    void decoderOnlyEverThrowsProtocolErrors(byte[] input) {
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        // the last byte picks where the input is cut in two (the first is 0 for every frame shorter than 64 KiB)
        int split = FuzzInput.split(input);
        try {
            decoder.decode(FuzzInput.pooled(input, 0, split), collector);
            decoder.decode(FuzzInput.pooled(input, split, input.length - split), collector);
        } catch (MuxException expected) {
            // the only way out for bad input
        } finally {
            decoder.release();
        }
    }

    @FuzzTarget
    void decodedFramesReencodeToTheSameBytes(byte[] input) {
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        try {
            decoder.decode(FuzzInput.pooled(input, 0, input.length), collector);
        } catch (MuxException expected) {
            decoder.release();
            return;
        }
        int consumed = input.length - decoder.pendingBytes();
        decoder.release();
        ByteBuf again = Unpooled.buffer();
        for (Frame f : collector.frames) {
            FrameEncoder.encode(f, again);
        }
        byte[] expected = Arrays.copyOf(input, consumed);
        byte[] actual = new byte[again.readableBytes()];
        again.readBytes(actual);
        // flags other than PING's ACK and HELLO's ADDRESSES are ignored on decode, and an unknown error code reads as UNKNOWN: normalise
        if (!Arrays.equals(normalise(expected), normalise(actual)) && !hasLossyFields(collector)) {
            throw new AssertionError("re-encoding differs:\n" + ByteBufUtil.hexDump(expected) + "\n"
                    + ByteBufUtil.hexDump(actual));
        }
    }

    static Stream<Arguments> specVectors() throws Exception {
        return Stream.concat(FrameVectorsTest.valid(), FrameVectorsTest.invalid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specVectors")
    void everySpecVectorIsASeedWhereJazzerLooksForIt(String name, String hex, String expected) throws Exception {
        String seed = FrameDecoderFuzzTest.class.getSimpleName() + "Inputs/" + name;
        try (InputStream in = FrameDecoderFuzzTest.class.getResourceAsStream(seed)) {
            assertNotNull(in, "no seed " + seed + " for the vector " + name);
            assertArrayEquals(ByteBufUtil.decodeHexDump(hex), in.readAllBytes(), name);
        }
    }

    /**
     * Unknown error codes read as UNKNOWN and malformed UTF-8 text is replaced; an IPv6 OPEN whose two addresses are
     * both IPv4-mapped reads as the IPv4 ones: such frames do not round-trip.
     */
    private static boolean hasLossyFields(FrameCollector c) {
        return c.frames.stream().anyMatch(f -> (f instanceof Frame.Reset r && r.code() == ErrorCode.UNKNOWN)
                || f instanceof Frame.OpenFailed || f instanceof Frame.GoAway || f instanceof Frame.Hello
                || f instanceof Frame.Open o && o.addresses() != null && !o.addresses().ipv6());
    }

    /** Zeroes the flags byte of every frame (ignored by the decoder except PING's ACK and HELLO's ADDRESSES). */
    private static byte[] normalise(byte[] wire) {
        byte[] b = wire.clone();
        int i = 0;
        while (i + WireConstants.HEADER_LENGTH <= b.length) {
            int length = ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
            int type = b[i + 3] & 0xFF;
            b[i + 4] = (byte) (type == FrameType.PING.code() ? b[i + 4] & WireConstants.FLAG_ACK
                    : type == FrameType.HELLO.code() ? b[i + 4] & WireConstants.FLAG_ADDRESSES : 0);
            i += WireConstants.HEADER_LENGTH + length;
        }
        return b;
    }
}
