package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.Role;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.MuxException;
import dev.itt.testing.FuzzInput;
import dev.itt.testing.FuzzTarget;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Jazzer: whatever the bytes, in either role, the legacy decoder yields messages or a MuxException only. A normal
 * run replays the seed corpus, which Jazzer looks up as {@code LegacyDecoderFuzzTestInputs/<method>/} beside this
 * class (src/test/resources): the spec's worked examples, every reply, truncated messages, a bad version, bad
 * address types, an unknown command and oversized lengths. {@code JAZZER_FUZZ=1} fuzzes from there.
 */
class LegacyDecoderFuzzTest {
    /** The cap the fuzz test decodes with; seeds sit just below and above it. */
    static final int CAP = 4096;

    @FuzzTarget
    void legacyDecoderOnlyEverThrowsProtocolErrors(byte[] input) {
        for (Role role : Role.values()) {
            LegacyCodec codec = new LegacyCodec(role, CAP);
            // the last byte picks where the input is cut in two (the first is the version for almost every seed)
            int split = FuzzInput.split(input);
            try {
                codec.decode(FuzzInput.pooled(input, 0, split), new FrameCollector());
                codec.decode(FuzzInput.pooled(input, split, input.length - split), new FrameCollector());
            } catch (MuxException expected) {
                // the only way out for bad input
            } finally {
                codec.release();
            }
        }
    }

    @Test
    void everyFuzzTestHasItsSeedCorpusWhereJazzerLooksForIt() throws Exception {
        int fuzzTests = 0;
        for (Method m : LegacyDecoderFuzzTest.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(FuzzTarget.class)) {
                fuzzTests++;
                URL dir = LegacyDecoderFuzzTest.class.getResource(
                        LegacyDecoderFuzzTest.class.getSimpleName() + "Inputs/" + m.getName());
                assertNotNull(dir, "no seed corpus for " + m.getName() + ": a renamed test loses its seeds");
                File[] seeds = new File(dir.toURI()).listFiles(File::isFile);
                assertTrue(seeds != null && seeds.length >= 20, m.getName() + " has seeds");
            }
        }
        assertTrue(fuzzTests > 0);
    }
}
