package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How {@link StreamBridge} ends the two sockets of a stream, on a real server end and agent over loopback, with
 * plain JDK sockets as the user and the upstream (one accepted per user, so the test holds both ends). Each case
 * is a close order that dev.itt.e2e.TunnelEndToEndTest does not already take: a FIN held while the upstream is
 * still being dialed, a reply that backs up before its FIN, and aborts (SO_LINGER 0) from either side, before and
 * after the other side's FIN. What each bridge logs when its socket closes (the byte counts, and a reset when
 * there was one) is part of what is checked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamBridgeTest {
    private ServerSocket upstreams;
    private TunnelFixture tunnel;
    private AgentEnd agent;
    private LogCapture bridges;

    @BeforeEach
    void start() throws IOException {
        upstreams = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        upstreams.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
        bridges = LogCapture.start(StreamBridge.class.getName(), Level.FINE);
        tunnel = new TunnelFixture().startServer();
        agent = tunnel.connectedAgent("127.0.0.1:" + upstreams.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        try {
            tunnel.close();
        } finally {
            bridges.close();
            upstreams.close();
        }
    }

    /** The upstream connection the agent dials for the user who just connected. */
    private Socket upstream() throws IOException {
        Socket s = upstreams.accept();
        s.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
        return s;
    }

    /** Closes with a reset instead of a FIN, as a process that crashes or gives up on a connection does. */
    private static void abort(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    /** Reads until the connection ends; true if it ended (EOF or reset), false if it stayed open past the wait. */
    private static boolean endsWithin(Socket s) throws IOException {
        byte[] buf = new byte[8192];
        try {
            while (s.getInputStream().read(buf) >= 0) {
                // whatever was still in flight
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private void awaitNoStreams() {
        Await.until("the server end to drop the stream", TunnelFixture.WAIT,
                () -> TunnelFixture.fresh(tunnel.server).activeStreams() == 0);
        Await.until("the agent to drop the stream", TunnelFixture.WAIT,
                () -> TunnelFixture.fresh(agent).activeStreams() == 0);
    }

    /** Waits for a line that a bridge of {@code side} ("user" or "upstream") logs containing {@code fragment}. */
    private void awaitLogged(String side, String fragment) {
        try {
            Await.until("the " + side + " bridge to log '" + fragment + "'", TunnelFixture.WAIT,
                    () -> bridges.matching(fragment).stream().anyMatch(l -> l.contains(" " + side + " ")));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; logged: " + bridges.matching(" stream "), e);
        }
    }

    /** What a bridge logs when its socket closes: the bytes that went each way. */
    private void awaitClosed(String side, long toTunnel, long fromTunnel) {
        awaitLogged(side, " closed: " + toTunnel + " bytes to the tunnel, " + fromTunnel + " bytes from it");
    }

    private List<String> resets() {
        return bridges.matching(" reset: ");
    }

    @Test
    void anEmptyRequestThatIsOnlyAFinStillGetsItsReplyAndBothSidesCloseCleanly() throws Exception {
        byte[] reply = "nothing came".getBytes(StandardCharsets.US_ASCII);
        try (Socket user = Users.connect(tunnel.userPort())) {
            // The FIN follows the OPEN at once, as a rule before the agent's dial is done: the agent holds it and
            // hands it to the bridge when the upstream socket joins, as a half-close before anything else.
            user.shutdownOutput();
            try (Socket up = upstream()) {
                assertEquals(-1, up.getInputStream().read(), "the upstream's first read is the user's EOF");
                up.getOutputStream().write(reply);
                up.shutdownOutput();
                assertArrayEquals(reply, Users.readAll(user.getInputStream()), "the reply, then EOF");
            }
        }
        awaitNoStreams();
        awaitClosed("user", 0, reply.length);
        awaitClosed("upstream", reply.length, 0);
        assertEquals(List.of(), resets(), "both directions ended with a FIN");
    }

    @Test
    void aReplyThatBacksUpAtTheServerEndReachesTheUserWholeBeforeTheEof() throws Exception {
        long size = 16L * 1024 * 1024; // more than the kernel's buffers on both sides of the user's socket
        try (Socket user = Users.connect(tunnel.userPort()); Socket up = upstream()) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    byte[] buf = new byte[64 * 1024];
                    Random r = new Random(size); // Target.SOURCE's bytes, so that Target.sourceDigest checks them
                    for (long left = size; left > 0; left -= buf.length) {
                        r.nextBytes(buf);
                        up.getOutputStream().write(buf, 0, (int) Math.min(buf.length, left));
                    }
                    up.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the reply to back up in the server end (the user reads nothing yet)", TunnelFixture.WAIT,
                    () -> tunnel.server.stats().bufferedBytes() > 0);
            java.security.MessageDigest sha = Target.sha256();
            InputStream in = user.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
                got += n;
            }
            sent.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(size, got, "every byte, then EOF");
            assertArrayEquals(Target.sourceDigest(size), sha.digest(), "in order");
        }
        awaitNoStreams();
        awaitClosed("user", 0, size);
        awaitClosed("upstream", size, 0);
        assertEquals(List.of(), resets());
    }

    @Test
    void aUserWhoAbortsMidRequestGetsTheUpstreamClosedAndTheStreamReset() throws Exception {
        byte[] partial = "POST /upload HTTP/1.1\r\nContent-Length: 1000000\r\n\r\nfirst bytes".getBytes(
                StandardCharsets.US_ASCII);
        try (Socket user = Users.connect(tunnel.userPort()); Socket up = upstream()) {
            user.getOutputStream().write(partial);
            assertArrayEquals(partial, up.getInputStream().readNBytes(partial.length), "the stream is up end to end");
            abort(user);
            assertTrue(endsWithin(up), "the agent closed the upstream connection");
        }
        awaitNoStreams();
        bridges.await("socket error"); // the user's bridge saw the reset as a failure
        awaitLogged("upstream", " reset: CANCEL"); // and the agent's bridge was told
        assertTrue(agent.isReady(), "a stream's reset leaves the session alone");
    }

    @Test
    void aUserWhoAbortsAfterTheUpstreamsFinResetsTheStreamInsteadOfEndingIt() throws Exception {
        try (Socket user = Users.connect(tunnel.userPort()); Socket up = upstream()) {
            up.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            up.shutdownOutput();
            assertEquals("bye", new String(Users.readAll(user.getInputStream()), StandardCharsets.US_ASCII),
                    "the upstream's reply and FIN reached the user");
            // Our direction is done: had the user closed with a FIN, the stream would end cleanly (see
            // TunnelEndToEndTest). A reset instead is a failure, not the end of the user's direction.
            abort(user);
            assertTrue(endsWithin(up), "the agent closed the upstream connection");
        }
        awaitNoStreams();
        awaitLogged("upstream", " reset: CANCEL");
    }

    @Test
    void anUpstreamThatAbortsGetsTheUserClosedAndTheStreamReset() throws Exception {
        try (Socket user = Users.connect(tunnel.userPort()); Socket up = upstream()) {
            user.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello", new String(up.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            abort(up);
            assertTrue(endsWithin(user), "the server end closed the user's connection");
        }
        awaitNoStreams();
        awaitLogged("user", " reset: CANCEL"); // the server end's bridge was told
        assertTrue(agent.isReady(), "a stream's reset leaves the session alone");
    }
}
