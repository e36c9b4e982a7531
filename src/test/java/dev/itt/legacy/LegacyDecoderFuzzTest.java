package dev.itt.legacy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.itt.mux.Role;
import dev.itt.mux.wire.MuxException;
import io.netty.buffer.Unpooled;

/** Jazzer: whatever the bytes, in either role, the legacy decoder yields messages or a MuxException only. */
class LegacyDecoderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void legacyDecoderOnlyEverThrowsProtocolErrors(byte[] input) {
        for (Role role : Role.values()) {
            LegacyCodec codec = new LegacyCodec(role, 4096);
            int split = input.length == 0 ? 0 : (input[0] & 0xFF) % (input.length + 1);
            try {
                codec.decode(Unpooled.wrappedBuffer(input, 0, split), new LegacyCodecTest.Events());
                codec.decode(Unpooled.wrappedBuffer(input, split, input.length - split), new LegacyCodecTest.Events());
            } catch (MuxException expected) {
                // the only way out for bad input
            } finally {
                codec.release();
            }
        }
    }
}
