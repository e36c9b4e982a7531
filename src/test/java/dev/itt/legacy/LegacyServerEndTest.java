package dev.itt.legacy;

import static dev.itt.legacy.LegacyPeer.data;
import static dev.itt.legacy.LegacyPeer.msg;
import static dev.itt.legacy.LegacyPeer.readOrReset;
import static dev.itt.legacy.LegacyPeer.v4Key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.end.EndState;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our legacy server end against a scripted Go agent, byte for byte, over real loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LegacyServerEndTest {

    private static LegacyPeer goAgent(TunnelFixture t) throws IOException {
        LegacyPeer agent = new LegacyPeer(Users.connect(t.server.tunnelPort()));
        Await.until("the server to take the agent", TunnelFixture.WAIT, () -> t.server.stats().agents() == 1);
        return agent;
    }

    @Test
    void anIpv4UserIsKeyedByItsAddressAndItsEarlyBytesWaitForSuccess() throws Exception {
        try (TunnelFixture t = new TunnelFixture().legacy().startServer(); LegacyPeer agent = goAgent(t);
                Socket user = Users.connect(t.userPort())) {
            String key = v4Key(user.getLocalPort());
            user.getOutputStream().write("first ".getBytes());
            user.getOutputStream().write("second".getBytes());
            agent.expect(msg(1, key)); // CONNECT
            Await.until("the server to hold the early bytes (one that sends them before SUCCESS never does)",
                    TunnelFixture.WAIT, () -> t.server.stats().bufferedBytes() >= 12);
            agent.expectNothingFor(500, "nothing is sent before SUCCESS");
            agent.send(msg(0, key)); // SUCCESS
            assertEquals("first second", agent.readData(4, key, 12), "the held bytes, as SEND, in order");
            agent.send(data(255, key, "reply") + msg(254, key)); // PACKET, CONN_CLOSE
            assertEquals("reply", new String(Users.readAll(user.getInputStream())),
                    "CONN_CLOSE closes the user after what it was already sent");
        }
    }

    /** This test is about IPv6 users: a machine without IPv6 loopback fails it loudly rather than skipping it. */
    private static void requireIpv6Loopback() throws IOException {
        Path interfaces = Path.of("/proc/net/if_inet6"); // one line per IPv6 address: 32 hex digits first
        boolean loopback = Files.exists(interfaces) && Files.readAllLines(interfaces).stream()
                .anyMatch(l -> l.startsWith("00000000000000000000000000000001 "));
        if (!loopback) {
            throw new AssertionError("this machine has no IPv6 loopback (::1 is not in /proc/net/if_inet6), which"
                    + " the dual-stack legacy test needs: enable IPv6 (sysctl net.ipv6.conf.lo.disable_ipv6=0)");
        }
    }

    /** A user from {@code host} through the tunnel: the CONNECT key the agent sees must be {@code keyPrefix}+port. */
    private static void userFrom(String host, String keyPrefix, TunnelFixture t, LegacyPeer agent) throws Exception {
        try (Socket user = new Socket()) {
            user.connect(new InetSocketAddress(host, t.userPort()), 5_000);
            user.setSoTimeout(30_000);
            String key = keyPrefix + String.format("%04x", user.getLocalPort());
            agent.expect(msg(1, key)); // CONNECT
            agent.send(msg(0, key) + data(255, key, host) + msg(254, key));
            assertEquals(host, new String(Users.readAll(user.getInputStream())), "the reply found " + host);
        }
    }

    @Test
    void aDualStackListenerSendsIpv4UsersAsTypeOneAndIpv6UsersAsTypeFour() throws Exception {
        requireIpv6Loopback();
        try (TunnelFixture t = new TunnelFixture().legacy().listen("[::]:0").startServer();
                LegacyPeer agent = goAgent(t)) {
            // the kernel hands the IPv4 user to the IPv6 socket as ::ffff:127.0.0.1: it must still go as type 1
            userFrom("127.0.0.1", "01" + "7f000001", t, agent);
            userFrom("::1", "04" + "00000000000000000000000000000001", t, agent);
        }
    }

    @Test
    void aUserThatClosesIsAnnouncedWithCloseNotify() throws Exception {
        try (TunnelFixture t = new TunnelFixture().legacy().startServer(); LegacyPeer agent = goAgent(t)) {
            Socket user = Users.connect(t.userPort());
            String key = v4Key(user.getLocalPort());
            agent.expect(msg(1, key));
            agent.send(msg(0, key));
            user.getOutputStream().write("bye".getBytes());
            user.close();
            agent.expect(data(4, key, "bye"));
            agent.expect(msg(5, key)); // CLOSE_NOTIFY
        }
    }

    @Test
    void everyFailureReplyClosesTheUser() throws Exception {
        try (TunnelFixture t = new TunnelFixture().legacy().startServer(); LegacyPeer agent = goAgent(t)) {
            for (int reply : new int[] {5, 4, 3, 1}) {
                try (Socket user = Users.connect(t.userPort())) {
                    String key = v4Key(user.getLocalPort());
                    agent.expect(msg(1, key));
                    agent.send(msg(reply, key));
                    user.setSoTimeout(5_000);
                    assertEquals(-1, readOrReset(user.getInputStream()), "reply " + reply + " closes the user");
                }
            }
        }
    }

    @Test
    void aSecondAgentIsClosedAtOnceWhileTheFirstIsAlive() throws Exception {
        try (TunnelFixture t = new TunnelFixture().legacy().startServer(); LegacyPeer first = goAgent(t);
                Socket second = Users.connect(t.server.tunnelPort())) {
            second.setSoTimeout(5_000);
            assertEquals(-1, readOrReset(second.getInputStream()));
            assertEquals(1, t.server.stats().agents());
            try (Socket user = Users.connect(t.userPort())) {
                first.expect(msg(1, v4Key(user.getLocalPort())));
            }
        }
    }

    @Test
    void unknownKeysAreIgnoredAndAProtocolErrorClosesOnlyThatConnection() throws Exception {
        try (TunnelFixture t = new TunnelFixture().legacy().startServer()) {
            try (LegacyPeer agent = goAgent(t)) {
                agent.send(data(255, v4Key(1), "stray") + msg(254, v4Key(2)));
                try (Socket user = Users.connect(t.userPort())) {
                    String key = v4Key(user.getLocalPort());
                    agent.expect(msg(1, key));
                    agent.send(msg(0, key) + data(255, key, "ok") + msg(254, key));
                    assertEquals("ok", new String(Users.readAll(user.getInputStream())));
                }
                agent.send("06000001" + v4Key(3)); // version 6
                assertEquals(-1, readOrReset(agent.in), "the server closed the broken connection");
            }
            Await.until("the broken agent to be gone", TunnelFixture.WAIT, () -> t.server.stats().agents() == 0);
            assertEquals(EndState.LISTENING, t.server.state(), "nothing else is disturbed");
            try (LegacyPeer again = goAgent(t); Socket user = Users.connect(t.userPort())) {
                again.expect(msg(1, v4Key(user.getLocalPort())));
            }
        }
    }

    @Test
    void aPacketOverTheConfiguredCapClosesThatAgentWithTheReasonAndTheNextAgentWorks() throws Exception {
        try (LogCapture log = LogCapture.start(); TunnelFixture t = new TunnelFixture().legacy(16).startServer()) {
            try (LegacyPeer agent = goAgent(t); Socket user = Users.connect(t.userPort())) {
                String key = v4Key(user.getLocalPort());
                agent.expect(msg(1, key));
                agent.send(msg(0, key) + data(255, key, "sixteen bytes ok")); // exactly the cap
                assertEquals("sixteen bytes ok", new String(user.getInputStream().readNBytes(16)));
                agent.send(data(255, key, "seventeen bytes!!")); // one byte over
                agent.expectClosed("the server closes the agent that broke the cap");
                assertEquals(-1, readOrReset(user.getInputStream()), "its users go with it");
            }
            String reason = log.await("legacy payload length 17 exceeds the cap of 16");
            assertTrue(reason.contains("tunnel t: closing session"), reason);
            Await.until("the broken agent to be gone", TunnelFixture.WAIT, () -> t.server.stats().agents() == 0);
            try (LegacyPeer next = goAgent(t); Socket user = Users.connect(t.userPort())) {
                String key = v4Key(user.getLocalPort());
                next.expect(msg(1, key));
                next.send(msg(0, key) + data(255, key, "back") + msg(254, key));
                assertEquals("back", new String(Users.readAll(user.getInputStream())));
            }
        }
    }

    @Test
    void unixSocketUsersGetInventedUniqueKeys(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.sock");
        try (TunnelFixture t = new TunnelFixture().legacy().listen("unix:" + users).startServer();
                LegacyPeer agent = goAgent(t);
                SocketChannel a = SocketChannel.open(java.net.UnixDomainSocketAddress.of(users));
                SocketChannel b = SocketChannel.open(java.net.UnixDomainSocketAddress.of(users))) {
            String first = agent.read(4 + 16 + 2);
            String second = agent.read(4 + 16 + 2);
            assertTrue(first.startsWith("05010004fd") && second.startsWith("05010004fd"), first + " " + second);
            assertTrue(!first.equals(second), "unique keys");
            String keyA = first.substring(6);
            agent.send(msg(0, keyA) + data(255, keyA, "unix") + msg(254, keyA));
            ByteBuffer buf = ByteBuffer.allocate(16);
            SocketChannel reader = a;
            int n = reader.read(buf);
            if (n <= 0) {
                reader = b;
                n = reader.read(buf);
            }
            assertEquals("unix", new String(buf.array(), 0, n));
        }
    }
}
