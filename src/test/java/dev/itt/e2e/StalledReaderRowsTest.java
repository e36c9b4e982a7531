package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rows of a peer that stops reading (docs/SECURITY.md): a tunnel peer that holds credit and keeps talking but
 * reads nothing is cut at {@code write-timeout}, while another agent's transfer flows on; a user that stops reading
 * stalls its own stream only, for longer than that timeout, and loses no byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StalledReaderRowsTest {
    private static final Map<String, String> WRITE_TIMEOUT = Map.of("write-timeout", "2s");

    /**
     * The peer grants far more credit than the kernel's buffers hold, so the server end's own queue fills and stays
     * full; it keeps sending ACKs for PINGs it never read, which keep-alive takes as signs of life (and keep-alive is
     * at its 30 s default here, so the cut is the write timeout's). The connection is then dropped with a reset:
     * the peer's next writes fail although it never read a byte.
     */
    @Test
    void aPeerThatHoldsCreditAndStopsReadingIsCutAtTheWriteTimeoutWhateverItSends() throws Exception {
        try (UnderAttack scene = UnderAttack.start(WRITE_TIMEOUT)) {
            RawPeer hostile = scene.connect(4096);
            hostile.handshake("t"); // its last read but one
            Await.until("the server end to count the hostile peer", TunnelFixture.WAIT,
                    () -> scene.tunnel.server.stats().agents() == 2);
            Socket user = Users.connect(scene.tunnel.userPort());
            int id = ((Frame.Open) hostile.readUntil(Frame.Open.class::isInstance)).streamId(); // its last read
            hostile.send(out -> {
                FrameEncoder.writeOpenOk(out, id);
                FrameEncoder.writeWindowUpdate(out, id, 64 * 1024 * 1024);
            });
            AtomicLong userSent = new AtomicLong();
            CompletableFuture.runAsync(() -> writeUntilRefused(user, 64L * 1024 * 1024, userSent));

            long guess = System.nanoTime();
            Await.until("the write timeout to cut the peer that reads nothing", TunnelFixture.WAIT, () -> {
                hostile.trySend(out -> FrameEncoder.writePing(out, true, guess)); // talking on: a guessed ACK
                return !scene.log.matching("none sent for").isEmpty();
            });
            String line = scene.log.await("none sent for");
            assertTrue(line.contains("peer does not read") && line.contains("(ENHANCE_YOUR_CALM)"), line);
            assertTrue(userSent.get() > 2L * 1024 * 1024, "the user's bytes filled the queue: " + userSent);
            Await.until("the dropped connection to refuse the peer's writes", TunnelFixture.WAIT,
                    () -> !hostile.trySend(out -> FrameEncoder.writePing(out, true, guess)));
            hostile.startReading();
            scene.assertOnlyTheHostileWasCut(hostile);
            assertEquals(1, scene.log.matching("closing session").size(), scene.log.matching("closing session").toString());
        }
    }

    /**
     * A peer that reads nothing and says nothing: keep-alive declares it dead and closes with a GO_AWAY, which sits
     * behind the bytes it never read, so the close cannot flush; the connection is dropped a few seconds later
     * (SocketTransport's close grace), long before the write timeout, which is set high here.
     */
    @Test
    void aSilentPeerThatReadsNothingIsDroppedAfterTheCloseGrace() throws Exception {
        try (UnderAttack scene = UnderAttack.start(Map.of("keep-alive-interval", "1s", "keep-alive-timeout", "2s",
                "write-timeout", "60s"))) {
            RawPeer hostile = scene.connect(4096);
            hostile.handshake("t");
            Await.until("the server end to count the hostile peer", TunnelFixture.WAIT,
                    () -> scene.tunnel.server.stats().agents() == 2);
            Socket user = Users.connect(scene.tunnel.userPort());
            int id = ((Frame.Open) hostile.readUntil(Frame.Open.class::isInstance)).streamId(); // its last read
            hostile.send(out -> {
                FrameEncoder.writeOpenOk(out, id);
                FrameEncoder.writeWindowUpdate(out, id, 64 * 1024 * 1024);
            });
            AtomicLong userSent = new AtomicLong();
            CompletableFuture.runAsync(() -> writeUntilRefused(user, 64L * 1024 * 1024, userSent));

            assertTrue(scene.log.await("no frame from the peer").contains("(KEEPALIVE_TIMEOUT)"));
            String dropped = scene.log.await("were still queued");
            assertTrue(dropped.contains("ms after its close"), dropped);
            Await.until("the dropped connection to refuse the peer's writes", TunnelFixture.WAIT,
                    () -> !hostile.trySend(out -> FrameEncoder.writePing(out, false, 1)));
            assertTrue(scene.log.matching("none sent for").isEmpty(), "the write timeout did not fire");
            hostile.startReading();
            scene.assertOnlyTheHostileWasCut(hostile);
        }
    }

    /**
     * A user that stops reading, on the good agent's session beside the flowing transfer: its echo backs up
     * through the tunnel into the echo upstream on the agent, which stops reading too. Its stream waits on credit,
     * so no tunnel connection's queue stalls and neither end cuts anything, for longer than the write timeout; once
     * the user reads again every byte comes back.
     */
    @Test
    void aUserThatStopsReadingStallsOnlyItsOwnStreamForLongerThanTheWriteTimeout() throws Exception {
        // more than every buffer on the echo's way can hold: kernel send and receive buffers autotune to a few MB
        // each, and the path has eight of them besides the two stream windows
        long size = 96L * 1024 * 1024;
        try (UnderAttack scene = UnderAttack.start(Map.of("write-timeout", "2s", "max-stream-window", "1M"))) {
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096);
            stalled.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", scene.tunnel.userPort()), 5_000);
            AtomicLong sent = new AtomicLong();
            MessageDigest sentDigest = Target.sha256();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                writeSeeded(stalled, size, sent, sentDigest);
            });

            // 48 MB at the transfer's pace is three seconds, past the 2 s write timeout with a tick to spare
            scene.awaitFlow(48L * 1024 * 1024);
            assertFalse(writer.isDone(), "the stalled user's stream is held up: " + sent + " of " + size + " sent");
            assertTrue(scene.log.matching("closing session").isEmpty(), scene.log.matching("closing session").toString());

            MessageDigest echoed = Target.sha256();
            InputStream in = stalled.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < size) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                echoed.update(buf, 0, n);
                got += n;
            }
            writer.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(size, got, "every byte of the stalled stream came back");
            assertArrayEquals(sentDigest.digest(), echoed.digest(), "and byte-exact");
            stalled.close();
            scene.assertTheGoodAgentIsUntouched(0);
        }
    }

    /** Writes zeros until {@code max} or until the connection refuses them (the cut resets the user's stream). */
    private static void writeUntilRefused(Socket user, long max, AtomicLong sent) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = user.getOutputStream();
            while (sent.get() < max) {
                out.write(chunk);
                sent.addAndGet(chunk.length);
            }
        } catch (java.io.IOException refused) {
            // the hostile peer's stream is reset when it is cut: its user's connection goes with it
        }
    }

    private static void writeSeeded(Socket user, long size, AtomicLong sent, MessageDigest digest) {
        Random random = new Random(size);
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = user.getOutputStream();
            while (sent.get() < size) {
                random.nextBytes(chunk);
                out.write(chunk);
                digest.update(chunk);
                sent.addAndGet(chunk.length);
            }
            user.shutdownOutput();
        } catch (java.io.IOException e) {
            throw new AssertionError("the stalled user's writes failed after " + sent + " bytes", e);
        }
    }
}
