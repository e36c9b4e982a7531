package dev.itt.legacy;

import static dev.itt.legacy.LegacyPeer.data;
import static dev.itt.legacy.LegacyPeer.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our legacy agent against a scripted Go server, byte for byte, over real loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LegacyAgentEndTest {
    private static final String K4 = "017f000001c350"; // 127.0.0.1:50000
    private static final String K6 = "04" + "20010db8000000000000000000000001" + "01bb"; // [2001:db8::1]:443

    @Test
    void keysAreEchoedByteForByteAndDataBeforeSuccessIsDelivered() throws Exception {
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().legacy()) {
            t.startAgent("127.0.0.1:" + goServer.getLocalPort(), echo.address(), null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4) + data(4, K4, "early")); // CONNECT, then SEND before any SUCCESS
                server.expect(msg(0, K4));
                server.expect(data(255, K4, "early"));
                server.send(msg(1, K6));
                server.expect(msg(0, K6));
                server.send(data(4, K6, "v6"));
                server.expect(data(255, K6, "v6"));
            }
        }
    }

    /** The agent's reply to one CONNECT when it dials {@code upstream}. */
    private static String replyWhenDialing(String upstream) throws Exception {
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                TunnelFixture t = new TunnelFixture().legacy()) {
            t.startAgent("127.0.0.1:" + goServer.getLocalPort(), upstream, null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.socket.setSoTimeout(45_000); // a name lookup may wait for its DNS server's timeouts
                server.send(msg(1, K4));
                return server.read(msg(1, K4).length() / 2);
            }
        }
    }

    @Test
    void aRefusedUpstreamIsAnsweredWithConnectionRefused() throws Exception {
        assertEquals(msg(5, K4), replyWhenDialing("127.0.0.1:" + Await.freePort()));
    }

    @Test
    void anUpstreamNameThatDoesNotResolveIsAnsweredWithGeneralFailure() throws Exception {
        assertEquals(msg(1, K4), replyWhenDialing("no-such-host.invalid:80")); // .invalid never resolves (RFC 2606)
    }

    @Test
    void aMissingUnixSocketUpstreamIsAnsweredWithGeneralFailure(@TempDir Path dir) throws Exception {
        assertEquals(msg(1, K4), replyWhenDialing("unix:" + dir.resolve("nobody-here.sock")));
    }

    @Test
    void anUnreachableUpstreamIsAnsweredWithHostUnreachable() throws Exception {
        // Linux refuses TCP to a multicast address with ENETUNREACH; Netty's epoll transport reports that exactly as
        // it reports EHOSTUNREACH, so the reply is HOST_UNREACHABLE (DialErrors), never "refused" or "general"
        assertEquals(msg(4, K4), replyWhenDialing("224.0.0.1:80"));
    }

    @Test
    void anUpstreamThatClosesSendsItsBytesThenConnClose() throws Exception {
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Target source = Target.tcp(Target.Mode.SOURCE, 3);
                TunnelFixture t = new TunnelFixture().legacy()) {
            t.startAgent("127.0.0.1:" + goServer.getLocalPort(), source.address(), null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4));
                server.expect(msg(0, K4));
                String packet = server.read(4 + 6 + 4 + 3);
                assertEquals(msg(255, K4) + "00000003", packet.substring(0, 28));
                server.expect(msg(254, K4)); // CONN_CLOSE after the last PACKET
            }
        }
    }

    @Test
    void aBrokenMessageFromTheServerDropsThatConnectionWithTheReasonAndTheAgentReconnects() throws Exception {
        String[][] broken = { // what the Go server sends, and the reason our agent must log
            {"06010001" + "7f000001c350", "legacy version 6, expected 5"},
            {"05010003" + "7f000001c350", "legacy address type 3"},
            {msg(1, K4) + data(4, K4, "seventeen bytes!!"), "legacy payload length 17 exceeds the cap of 16"}};
        try (LogCapture log = LogCapture.start();
                ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().legacy(16)) {
            t.startAgent("127.0.0.1:" + goServer.getLocalPort(), echo.address(), null);
            for (String[] b : broken) {
                try (LegacyPeer server = new LegacyPeer(goServer.accept())) { // the agent (re)connects by itself
                    server.send(b[0]); // (the oversized SEND's CONNECT is still dialing when the SEND cuts it)
                    server.expectClosed("the agent drops a connection that sent " + b[0]);
                }
                assertTrue(log.await(b[1]).contains("tunnel t: closing session"), b[1]);
            }
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4) + data(4, K4, "sixteen bytes ok"));
                server.expect(msg(0, K4));
                server.expect(data(255, K4, "sixteen bytes ok"));
            }
        }
    }

    @Test
    void closeNotifyClosesTheUpstreamAndTheAgentReconnectsByItself() throws Exception {
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().legacy()) {
            AgentEnd agent = t.startAgent("127.0.0.1:" + goServer.getLocalPort(), echo.address(), null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4));
                server.expect(msg(0, K4));
                Await.until("a stream", TunnelFixture.WAIT, () -> TunnelFixture.fresh(agent).activeStreams() == 1);
                server.send(msg(5, K4)); // CLOSE_NOTIFY
                Await.until("the upstream closed", TunnelFixture.WAIT,
                        () -> TunnelFixture.fresh(agent).activeStreams() == 0);
            }
            try (LegacyPeer again = new LegacyPeer(goServer.accept())) { // the Go server was restarted
                again.send(msg(1, K4) + data(4, K4, "back"));
                again.expect(msg(0, K4));
                again.expect(data(255, K4, "back"));
            }
        }
    }
}
