package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;

/** The verdicts the conformance cases end with, on what a raw peer saw or a user's socket got. */
final class Expect {
    private Expect() {}

    /**
     * A connection error (PROTOCOL.md §6): a GO_AWAY with {@code code} and a reason, then the connection closed.
     * The raw peer must be reading.
     */
    static Frame.GoAway connectionError(RawPeer peer, ErrorCode code) {
        Frame.GoAway goAway = peer.awaitGoAway();
        assertEquals(code, goAway.code(), "GO_AWAY " + goAway);
        assertFalse(goAway.reason().isEmpty(), "a GO_AWAY for an error says why: " + goAway);
        peer.awaitClosed();
        return goAway;
    }

    /** A refusal during the handshake (§4.3): as a connection error, with last stream id 0. */
    static Frame.GoAway refused(RawPeer peer, ErrorCode code) {
        Frame.GoAway goAway = connectionError(peer, code);
        assertEquals(0, goAway.lastStreamId(), "a refusal names no stream: " + goAway);
        return goAway;
    }

    /** The connection closed with no GO_AWAY sent on it. */
    static void closedWithoutGoAway(RawPeer peer) {
        peer.awaitClosed();
        assertTrue(of(peer, Frame.GoAway.class).isEmpty(), "no GO_AWAY in answer: " + peer.frames());
    }

    /** The session is still up: a PING is answered, and nothing ended it. */
    static void alive(RawPeer peer) throws IOException {
        peer.fence();
        assertFalse(peer.ended(), "the session goes on");
        assertTrue(of(peer, Frame.GoAway.class).isEmpty(), "no GO_AWAY: " + peer.frames());
    }

    /** Every frame of {@code type} the peer decoded so far. */
    static <T extends Frame> List<T> of(RawPeer peer, Class<T> type) {
        return peer.frames().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The DATA bytes the peer received on {@code streamId} so far. */
    static long dataBytes(RawPeer peer, int streamId) {
        return of(peer, Frame.Data.class).stream().filter(d -> d.streamId() == streamId)
                .mapToLong(d -> d.payload().readableBytes()).sum();
    }

    /** The DATA the peer received on {@code streamId} so far, concatenated. */
    static byte[] data(RawPeer peer, int streamId) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Frame.Data d : of(peer, Frame.Data.class)) {
            if (d.streamId() == streamId) {
                byte[] b = new byte[d.payload().readableBytes()];
                d.payload().getBytes(d.payload().readerIndex(), b);
                all.writeBytes(b);
            }
        }
        return all.toByteArray();
    }

    /** The user's connection ends (EOF or reset) within the wait; what it read before is returned. */
    static byte[] userClosed(Socket user) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try {
            InputStream in = user.getInputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the user's connection was not closed within " + TunnelFixture.WAIT.toSeconds()
                    + " s");
        } catch (IOException reset) {
            // a reset ends it too
        }
        return got.toByteArray();
    }

    /** Writes to a user's socket. */
    static void write(Socket user, byte[] bytes) throws IOException {
        OutputStream out = user.getOutputStream();
        out.write(bytes);
        out.flush();
    }
}
