package dev.itt.mux.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The test vectors of docs/PROTOCOL.md Appendix A (src/test/resources/wire): each valid one decodes to its frame
 * whole, byte by byte and split at every offset, and encoding that frame gives the same bytes back; each invalid
 * one is rejected with its error code.
 */
class FrameVectorsTest {

    static Stream<Arguments> rows(String file) throws IOException {
        try (InputStream in = FrameVectorsTest.class.getResourceAsStream("/wire/" + file)) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertTrue(lines.size() > 10, file + " has vectors");
            return lines.stream().map(l -> l.split(";", 3)).map(f -> Arguments.of(f[0], f[1], f[2]));
        }
    }

    static Stream<Arguments> valid() throws IOException {
        return rows("vectors.csv");
    }

    static Stream<Arguments> invalid() throws IOException {
        return rows("invalid.csv");
    }

    private static List<Frame> decode(byte[] wire, int... cuts) throws MuxException {
        FrameDecoder decoder = new FrameDecoder();
        FrameCollector collector = new FrameCollector();
        int from = 0;
        for (int cut : cuts) {
            decoder.decode(chunk(wire, from, cut), collector);
            from = cut;
        }
        decoder.decode(chunk(wire, from, wire.length), collector);
        assertEquals(0, decoder.pendingBytes());
        return collector.frames;
    }

    private static ByteBuf chunk(byte[] wire, int from, int to) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, to - from));
        b.writeBytes(wire, from, to - from);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void decodesEveryWayAndEncodesBack(String name, String hex, String expected) throws MuxException {
        byte[] wire = ByteBufUtil.decodeHexDump(hex);
        List<Frame> whole = decode(wire);
        assertEquals(1, whole.size(), name);
        assertEquals(expected, whole.get(0).toString(), name);
        for (int split = 0; split <= wire.length; split++) {
            assertEquals(whole, decode(wire, split), name + " split at " + split);
        }
        int[] everyByte = new int[wire.length];
        for (int i = 0; i < wire.length; i++) {
            everyByte[i] = i;
        }
        assertEquals(whole, decode(wire, everyByte), name + " byte by byte");
        ByteBuf encoded = Unpooled.buffer();
        FrameEncoder.encode(whole.get(0), encoded);
        assertEquals(hex, ByteBufUtil.hexDump(encoded), name + " encodes back to the same bytes");
    }

    /**
     * Appendix A of docs/PROTOCOL.md shows exactly these rows, in the same order, with the same hex and result: the
     * spec's vectors are the ones this class checks, not a copy that drifts.
     */
    @Test
    void theSpecAppendixListsExactlyTheseVectors() throws IOException {
        String spec = Files.readString(Path.of("docs/PROTOCOL.md"), StandardCharsets.UTF_8);
        String appendix = spec.substring(spec.indexOf("## Appendix A."));
        Matcher row = Pattern.compile("^\\| `([a-z0-9_]+)` \\| `([0-9a-f]+)` \\| .* \\| `?(.+?)`? \\|$",
                Pattern.MULTILINE).matcher(appendix);
        List<String> inSpec = new ArrayList<>();
        while (row.find()) {
            inSpec.add(row.group(1) + ";" + row.group(2) + ";" + row.group(3));
        }
        List<String> inFiles = Stream.concat(valid(), invalid())
                .map(a -> a.get()[0] + ";" + a.get()[1] + ";" + ((String) a.get()[2]).trim()).toList();
        assertEquals(inFiles, inSpec);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithItsErrorCode(String name, String hex, String code) {
        byte[] wire = ByteBufUtil.decodeHexDump(hex);
        MuxException e = assertThrows(MuxException.class, () -> decode(wire), name);
        assertEquals(ErrorCode.valueOf(code.trim()), e.code(), name + ": " + e.getMessage());
        assertTrue(e.isConnectionError());
    }
}
