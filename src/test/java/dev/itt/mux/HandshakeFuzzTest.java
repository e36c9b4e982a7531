package dev.itt.mux;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.NativeCodec;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.FuzzInput;
import dev.itt.testing.FuzzTarget;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer fuzzing of the handshake itself (docs/PROTOCOL.md §4), one step at a time: the fuzzer plays the peer and
 * chooses each frame and its fields within what the frame decoder lets through (nonces of 32 bytes, whole proofs,
 * an AUTH of 0 or 32 bytes), in any order, for a server end or an agent with no token, one token or two. Whatever it
 * sends, only a protocol error comes out; a server end with a token never lets in a peer that did not prove it, an
 * agent with a token never proves itself to a server end that did not prove it first, and once the handshake is done
 * every further handshake frame is refused. {@link SessionFuzzTest} fuzzes the same through the decoder, as bytes.
 */
class HandshakeFuzzTest {
    private static final ByteBufAllocator ALLOC = FuzzInput.ALLOC;
    /** Derived once: a key takes 20,000 PBKDF2 rounds. */
    private static final List<SessionConfig> CONFIGS = List.of(TestConfigs.session("t", null),
            TestConfigs.accepting("t", List.of("s3cret")), TestConfigs.accepting("t", List.of("old", "s3cret")));

    @FuzzTarget
    void aHandshakeLetsInOnlyAPeerThatProvesTheToken(FuzzedDataProvider data) {
        Role role = data.consumeBoolean() ? Role.SERVER : Role.AGENT;
        SessionConfig config = CONFIGS.get(data.consumeInt(0, CONFIGS.size() - 1));
        boolean token = !config.credentials().keys().isEmpty();
        Handshake handshake = new Handshake(role, config, new NativeCodec());
        long start = data.consumeLong();
        release(handshake.start(ALLOC, start));
        boolean done = false;
        while (data.remainingBytes() > 0) {
            int step = data.consumeInt(0, 4);
            ByteBuf reply;
            try {
                if (step == 4) {
                    handshake.checkTime(start + data.consumeLong(0, Long.MAX_VALUE));
                    continue;
                }
                reply = switch (step) {
                    case 0 -> handshake.onHello(ALLOC, data.consumeBoolean() ? WireConstants.VERSION : data.consumeInt(),
                            data.consumeBoolean() ? config.tunnel() : data.consumeString(64),
                            data.consumeBoolean() ? bytes(data, WireConstants.NONCE_LENGTH) : new byte[0], false);
                    case 1 -> handshake.onChallenge(ALLOC, bytes(data, WireConstants.NONCE_LENGTH),
                            bytes(data, data.consumeInt(0, WireConstants.MAX_PROOFS) * WireConstants.MAC_LENGTH));
                    case 2 -> handshake.onAuth(ALLOC, data.consumeBoolean() ? bytes(data, WireConstants.MAC_LENGTH)
                            : new byte[0]);
                    default -> {
                        handshake.onWelcome();
                        yield null;
                    }
                };
            } catch (MuxException refused) {
                return; // the session closes on the first error: nothing more is fed to this handshake
            }
            if (done) {
                throw new AssertionError("a handshake frame was taken after the handshake was done (step " + step + ")");
            }
            if (token && role == Role.SERVER && step == 2) {
                throw new AssertionError("a server end with a token let in a peer that did not prove it");
            }
            if (token && role == Role.AGENT && step == 1) {
                throw new AssertionError("an agent with a token answered a server end that did not prove it");
            }
            done = step == 2 || step == 3;
            release(reply);
        }
    }

    /** {@code n} fuzzed bytes, zero-padded when the input runs out: the decoder only passes fields of full size. */
    private static byte[] bytes(FuzzedDataProvider data, int n) {
        return Arrays.copyOf(data.consumeBytes(n), n);
    }

    private static void release(ByteBuf frame) {
        if (frame != null) {
            frame.release();
        }
    }
}
