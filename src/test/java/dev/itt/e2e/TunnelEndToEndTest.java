package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.end.EndState;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real server end and agent in this JVM, real sockets on loopback, JDK sockets as users and upstreams. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class TunnelEndToEndTest {

    @Test
    void twoHundredConcurrentConnectionsEachEchoTheirOwnBytes() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(echo.address());
            assertTrue(twoHundredConcurrentEchoes(t.userPort()), "every connection got its own bytes back");
            assertEquals(200, echo.accepted());
            assertEquals(200, echo.peakOpen(), "all 200 streams were open at once");
            Await.until("all streams to close", TunnelFixture.WAIT,
                    () -> TunnelFixture.fresh(t.server).activeStreams() == 0);
        }
    }

    /** 200 users, all connected end to end at once (a barrier), each echoing its own random 256 KiB. */
    public static boolean twoHundredConcurrentEchoes(int port) throws Exception {
        int users = 200;
        CyclicBarrier together = new CyclicBarrier(users);
        ExecutorService pool = Executors.newFixedThreadPool(users);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                long seed = i;
                results.add(pool.submit(() -> echoesItsOwnBytes(port, seed, 256 * 1024, together)));
            }
            boolean all = true;
            for (Future<Boolean> r : results) {
                all &= r.get(120, TimeUnit.SECONDS);
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    public static boolean echoesItsOwnBytes(int port, long seed, int size) throws Exception {
        return echoesItsOwnBytes(port, seed, size, new CyclicBarrier(1));
    }

    /**
     * Sends {@code size} random bytes and checks the echo. The first chunk goes alone and comes back before the
     * rest, so the stream is open end to end when this user reaches {@code together}.
     */
    public static boolean echoesItsOwnBytes(int port, long seed, int size, CyclicBarrier together) throws Exception {
        int chunk = Math.min(8192, size);
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        try (Socket s = Users.connect(port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(data, 0, chunk);
            byte[] first = in.readNBytes(chunk);
            together.await(60, TimeUnit.SECONDS);
            Thread writer = new Thread(() -> {
                try {
                    for (int off = chunk; off < size; off += chunk) {
                        out.write(data, off, Math.min(chunk, size - off));
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            byte[] rest = Users.readAll(in);
            writer.join();
            byte[] back = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, back, first.length, rest.length);
            return Arrays.equals(sha(data), sha(back));
        }
    }

    @Test
    void aHalfClosedUserStillReadsTheReplySentAfterItsEof() throws Exception {
        try (Target digest = Target.tcp(Target.Mode.DIGEST_AFTER_EOF, 0);
                TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(digest.address());
            byte[] data = new byte[3 * 1024 * 1024];
            new Random(7).nextBytes(data);
            try (Socket s = Users.connect(t.userPort())) {
                s.getOutputStream().write(data);
                s.shutdownOutput();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] hash = new byte[32];
                in.readFully(hash);
                byte[] echoed = Users.readAll(in);
                assertArrayEquals(sha(data), hash, "the upstream saw every byte, then the EOF");
                assertArrayEquals(data, echoed, "and its reply, sent after the EOF, came back whole");
            }
        }
    }

    @Test
    void anUpstreamThatHalfClosesFirstStillReceivesWhatTheUserSendsAfter() throws Exception {
        try (Target goodbye = Target.tcp(Target.Mode.GOODBYE_FIRST, 0);
                TunnelFixture t = new TunnelFixture().startServer();
                LogCapture bridges = LogCapture.start("dev.itt.vertx.StreamBridge", java.util.logging.Level.FINE)) {
            t.connectedAgent(goodbye.address());
            byte[] data = new byte[2 * 1024 * 1024];
            new Random(9).nextBytes(data);
            try (Socket s = Users.connect(t.userPort())) {
                assertEquals("bye", new String(Users.readAll(s.getInputStream())), "the upstream's FIN reached us");
                s.getOutputStream().write(data); // our direction is still open
                s.shutdownOutput();
                Await.until("the upstream to read to our EOF", TunnelFixture.WAIT, () -> goodbye.lastDigest() != null);
                assertArrayEquals(sha(data), goodbye.lastDigest(), "the upstream got every byte sent after its FIN");
            }
            Await.until("the stream to close", TunnelFixture.WAIT,
                    () -> TunnelFixture.fresh(t.server).activeStreams() == 0);
            // The user's FIN came after ours, so the server end's socket closed on it (no half-close of its input):
            // the stream still ends with a FIN each way, never a reset.
            bridges.await("upstream connected");
            assertEquals(List.of(), bridges.matching("reset"), "no stream was reset");
        }
    }

    @Test
    void anUpstreamsCloseAfterAShortReplyReachesAUserWhoWaitsForIt() throws Exception {
        // The upstream's FIN follows its reply at once and is the only end-of-reply signal; the user never closes
        // first. An agent that noticed the FIN only on a later read (Netty's epoll transport learns of it through
        // EPOLLRDHUP) would leave this user waiting.
        try (Target source = Target.tcp(Target.Mode.SOURCE, 1000);
                TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent(source.address());
            for (int i = 0; i < 20; i++) {
                try (Socket s = Users.connect(t.userPort())) {
                    s.setSoTimeout(10_000);
                    assertEquals(1000, Users.readAll(s.getInputStream()).length, "reply " + i + ", then EOF");
                }
            }
        }
    }

    @Test
    void aRefusedUpstreamClosesTheUserPromptly() throws Exception {
        int closedPort = dev.itt.testing.Await.freePort();
        try (LogCapture log = LogCapture.start(); TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent("127.0.0.1:" + closedPort);
            try (Socket s = Users.connect(t.userPort())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                assertEquals(-1, readOrReset(s.getInputStream()), "the user sees the close, not a hang");
            }
            assertTrue(t.agents.get(0).isReady(), "a refused upstream does not disturb the session");
            // the server end's one line for that user, its access line, carries the agent's reason from OPEN_FAILED
            String line = log.await("end=upstream-refused");
            assertTrue(line.startsWith("INFO dev.itt.access: tunnel=t stream=1 source=127.0.0.1:"), line);
            assertTrue(line.contains(" reason=\"CONNECT_REFUSED ") && line.contains("Connection refused"), line);
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void unixSocketListenTunnelAndUpstream(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.sock");
        Path agents = dir.resolve("agents.sock");
        try (Target echo = Target.unix(dir.resolve("upstream.sock"), Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().listen("unix:" + users).tunnel("unix:" + agents).startServer()) {
            t.connectedAgent(echo.address());
            byte[] data = new byte[1024 * 1024];
            new Random(11).nextBytes(data);
            try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(users))) {
                // write while reading: an echo path does not buffer a whole megabyte for a user who does not read
                Thread writer = new Thread(() -> {
                    try {
                        ch.write(ByteBuffer.wrap(data));
                        ch.shutdownOutput();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.start();
                byte[] back = Users.readAll(java.nio.channels.Channels.newInputStream(ch));
                writer.join();
                assertArrayEquals(data, back);
            }
        }
        assertTrue(Files.notExists(users), "the server removes its socket files on stop");
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneIsNotStolen(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.sock");
        // stale: a socket file left by a process that died (the JDK leaves the file behind on close)
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
                .bind(java.net.UnixDomainSocketAddress.of(users)).close();
        assertTrue(Files.exists(users));
        try (TunnelFixture t = new TunnelFixture().listen("unix:" + users).startServer()) {
            assertEquals(EndState.LISTENING, t.server.state());
            TunnelFixture second = new TunnelFixture().listen("unix:" + users);
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, second::startServer);
            assertTrue(String.valueOf(e.getMessage()).contains("in use"), e.getMessage());
            second.server = null;
            second.close();
            assertEquals(EndState.LISTENING, t.server.state(), "the first server keeps its socket");
        }
    }

    @Test
    void aRegularFileAtAUnixListenPathIsNeverReplaced(@TempDir Path dir) throws Exception {
        Path precious = dir.resolve("notes.txt");
        Files.writeString(precious, "keep me");
        TunnelFixture t = new TunnelFixture().listen("unix:" + precious);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, t::startServer);
        assertTrue(String.valueOf(e.getMessage()).contains("not a socket"), e.getMessage());
        t.server = null;
        t.close();
        assertEquals("keep me", Files.readString(precious));
    }

    @Test
    void severalAgentsShareUsersLosingOneResetsOnlyItsStreamsAndNewUsersGoToTheLeastBusy() throws Exception {
        // a cut user drains what the server end still holds for it, at most its stream window (and the kernel's
        // buffers), before the end: well under the 16 MiB that tells a cut stream from a flowing one
        try (Target source = Target.tcp(Target.Mode.SOURCE, 200L * 1024 * 1024);
                TunnelFixture t = new TunnelFixture()
                        .session(TestConfigs.session("t", null, Map.of("max-stream-window", "1M"))).startServer()) {
            io.vertx.core.Vertx doomed = io.vertx.core.Vertx.vertx(
                    new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
            AgentEnd a = t.startAgent(doomed, t.tunnelAddress(), source.address(), null);
            AgentEnd b = t.connectedAgent(source.address());
            Await.until("two agents", TunnelFixture.WAIT, () -> t.server.stats().agents() == 2);
            List<Socket> users = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = Users.connect(t.userPort());
                s.getInputStream().read(); // the stream is up and flowing
                users.add(s);
            }
            Await.until("streams on both agents", TunnelFixture.WAIT,
                    () -> TunnelFixture.fresh(a).activeStreams() == 5 && TunnelFixture.fresh(b).activeStreams() == 5);
            TunnelFixture.join(doomed.close()); // agent a dies: its connections drop, no GO_AWAY
            int cut = 0;
            for (Socket s : users) {
                s.setSoTimeout(10_000);
                if (drainsToEofOrReset(s)) {
                    cut++;
                }
            }
            Await.until("one agent left", TunnelFixture.WAIT, () -> t.server.stats().agents() == 1);
            assertEquals(5, cut, "exactly the lost agent's users were cut");
            assertEquals(5, TunnelFixture.fresh(b).activeStreams(), "the other agent's streams are untouched");
            // a new agent has the fewest streams: the next users all go to it, none to b, until the two are even
            AgentEnd c = t.connectedAgent(source.address());
            for (int i = 0; i < 3; i++) {
                Socket s = Users.connect(t.userPort());
                s.getInputStream().read();
                users.add(s);
            }
            Await.until("the new users on the new agent", TunnelFixture.WAIT,
                    () -> TunnelFixture.fresh(c).activeStreams() == 3);
            assertEquals(5, TunnelFixture.fresh(b).activeStreams(), "none went to the busier agent");
            for (Socket s : users) {
                s.close();
            }
            try (Socket fresh = Users.connect(t.userPort())) {
                assertTrue(fresh.getInputStream().read() >= 0, "new users are still served once the old ones have gone");
            }
        }
    }

    /**
     * True if the stream ends (EOF or reset) within the first 16 MB: more than the bytes that kernel buffers and
     * the stream window can hold in flight, far less than the 200 MB a live stream carries.
     */
    private static boolean drainsToEofOrReset(Socket s) {
        try {
            byte[] buf = new byte[8192];
            long total = 0;
            while (total < 16L * 1024 * 1024) {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
            return false;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Test
    void theAgentReconnectsByItselfWhenTheServerRestarts() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            int tunnelPort = Await.freePort();
            int userPort = Await.freePort();
            TunnelFixture first = new TunnelFixture().listen("127.0.0.1:" + userPort).tunnel("127.0.0.1:" + tunnelPort)
                    .startServer();
            AgentEnd agent = first.connectedAgent(echo.address());
            TunnelFixture.join(first.server.stop());
            Await.until("the agent to notice", TunnelFixture.WAIT, () -> !agent.isReady());
            first.listen("127.0.0.1:" + userPort).tunnel("127.0.0.1:" + tunnelPort).startServer(); // same ports
            Await.until("the agent to come back", TunnelFixture.WAIT, agent::isReady);
            assertTrue(echoesItsOwnBytes(userPort, 3, 100_000));
            first.close();
        }
    }

    @Test
    void theAgentMayStartBeforeTheServer() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            int tunnelPort = Await.freePort();
            TunnelFixture t = new TunnelFixture().tunnel("127.0.0.1:" + tunnelPort);
            AgentEnd agent = t.startAgent("127.0.0.1:" + tunnelPort, echo.address(), null);
            assertTrue(!agent.isReady());
            t.startServer();
            Await.until("the agent to connect", TunnelFixture.WAIT, agent::isReady);
            assertTrue(echoesItsOwnBytes(t.userPort(), 4, 10_000));
            t.close();
        }
    }

    static byte[] sha(byte[] data) {
        MessageDigest d = Target.sha256();
        return d.digest(data);
    }
}
