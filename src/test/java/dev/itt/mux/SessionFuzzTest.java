package dev.itt.mux;

import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.FrameDecoder;
import dev.itt.mux.wire.MuxException;
import dev.itt.testing.FuzzInput;
import dev.itt.testing.FuzzTarget;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;

/**
 * Jazzer fuzzing of whole sessions, handshake included: whatever bytes a peer sends, in whatever pieces, a session
 * never lets an exception out, ends with no stream left once closed, and never lets a peer that does not hold the
 * token in, nor proves its own token to one. A normal run replays the seeds in {@code SessionFuzzTestInputs/}
 * (src/test/resources, beside this class): a server's and an agent's side of real exchanges; {@code JAZZER_FUZZ=1}
 * fuzzes from them (see docs/SECURITY.md).
 */
class SessionFuzzTest {
    /** Made once: a token's key takes 20,000 PBKDF2 rounds, which would otherwise be most of each input's time. */
    private static final SessionConfig OPEN = TestConfigs.session("t", null);
    private static final SessionConfig TOKEN = TestConfigs.session("t", "s3cret");

    /** Held, so that the level set on it stays (a logger nobody references may be collected with its level). */
    private static final java.util.logging.Logger LOGS = java.util.logging.Logger.getLogger("dev.itt");

    static {
        if (System.getenv("JAZZER_FUZZ") != null) {
            // every input ends a session, which logs a line: a million of them would be the fuzzer's bottleneck
            LOGS.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    /** A session of {@code role} fed {@code input} in two pieces; returns what it wrote, decoded. */
    private static Fed feed(Role role, SessionConfig config, byte[] input) {
        SessionHandshakeTest.CapturingTransport wire = new SessionHandshakeTest.CapturingTransport();
        SessionRecorder events = new SessionRecorder();
        Session session = new Session(role, wire, config, events, Dialect.nativeProtocol());
        session.start(System.nanoTime());
        // the last byte picks where the input is cut in two
        int split = FuzzInput.split(input);
        session.onRead(FuzzInput.pooled(input, 0, split));
        session.onRead(FuzzInput.pooled(input, split, input.length - split));
        session.tick(System.nanoTime());
        boolean established = session.isEstablished();
        session.close(dev.itt.mux.wire.ErrorCode.NO_ERROR, "fuzz case over");
        if (session.streamCount() != 0) {
            throw new AssertionError(session.streamCount() + " streams left after close");
        }
        FrameCollector frames = new FrameCollector();
        FrameDecoder decoder = new FrameDecoder();
        try {
            for (ByteBuf b : wire.written) {
                decoder.decode(b, frames);
            }
        } catch (MuxException e) {
            throw new AssertionError("the session wrote a frame its own decoder refuses", e);
        } finally {
            decoder.release();
        }
        frames.frames.forEach(f -> {
            if (f instanceof Frame.Data d) {
                d.payload().release();
            }
        });
        return new Fed(established, frames);
    }

    private record Fed(boolean established, FrameCollector written) {}

    @FuzzTarget
    void aServerSessionSurvivesAnyBytes(byte[] input) {
        feed(Role.SERVER, OPEN, input);
    }

    @FuzzTarget
    void anAgentSessionSurvivesAnyBytes(byte[] input) {
        feed(Role.AGENT, OPEN, input);
    }

    @FuzzTarget
    void aServerWithATokenLetsInNoPeerThatLacksIt(byte[] input) {
        if (feed(Role.SERVER, TOKEN, input).established()) {
            throw new AssertionError("established without the agent's proof");
        }
    }

    @FuzzTarget
    void anAgentWithATokenNeitherEstablishesNorProvesItselfToAnImpostor(byte[] input) {
        Fed fed = feed(Role.AGENT, TOKEN, input);
        if (fed.established()) {
            throw new AssertionError("established with a server that did not prove the token");
        }
        for (Frame f : fed.written().frames) {
            if (f instanceof Frame.Auth a && a.mac().length > 0) {
                throw new AssertionError("the agent sent its proof to a peer that did not prove the token");
            }
        }
    }
}
