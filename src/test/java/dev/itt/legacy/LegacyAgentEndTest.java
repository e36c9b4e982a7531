package dev.itt.legacy;

import static dev.itt.legacy.LegacyPeer.data;
import static dev.itt.legacy.LegacyPeer.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.itt.agent.AgentEnd;
import dev.itt.testing.Await;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our legacy client end against a scripted Go server, byte for byte, over real loopback sockets. */
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

    @Test
    void aRefusedUpstreamIsAnsweredWithConnectionRefused() throws Exception {
        int closed = Await.freePort();
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                TunnelFixture t = new TunnelFixture().legacy()) {
            t.startAgent("127.0.0.1:" + goServer.getLocalPort(), "127.0.0.1:" + closed, null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4));
                server.expect(msg(5, K4)); // CONNECTION_REFUSED
            }
        }
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
    void closeNotifyClosesTheUpstreamAndTheAgentReconnectsByItself() throws Exception {
        try (ServerSocket goServer = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().legacy()) {
            AgentEnd agent = t.startAgent("127.0.0.1:" + goServer.getLocalPort(), echo.address(), null);
            try (LegacyPeer server = new LegacyPeer(goServer.accept())) {
                server.send(msg(1, K4));
                server.expect(msg(0, K4));
                Await.until("a stream", TunnelFixture.WAIT, () -> agent.activeStreams() == 1);
                server.send(msg(5, K4)); // CLOSE_NOTIFY
                Await.until("the upstream closed", TunnelFixture.WAIT, () -> agent.activeStreams() == 0);
            }
            try (LegacyPeer again = new LegacyPeer(goServer.accept())) { // the Go server was restarted
                again.send(msg(1, K4) + data(4, K4, "back"));
                again.expect(msg(0, K4));
                again.expect(data(255, K4, "back"));
            }
        }
    }
}
