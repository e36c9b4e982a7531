package dev.itt.vertx;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.DialTarget;
import dev.itt.config.ProxyProtocol;
import dev.itt.config.TunnelSpec;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.LogCapture;
import dev.itt.testing.RawPeer;
import dev.itt.testing.RawServer;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol header on a real agent's upstream connections, read by a plain JDK socket standing in for the
 * upstream: a user sends a few bytes and half-closes, and the upstream must get exactly the header, then those
 * bytes, then the FIN. The expected headers are written out here from HAProxy's proxy-protocol.txt, not made by
 * Netty's codec, which makes the real ones.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyHeaderTest {
    /** The version-2 signature, §2.2 of proxy-protocol.txt. */
    private static final String V2_SIGNATURE = "0d0a0d0a000d0a515549540a";
    private static final byte[] REQUEST = "hello".getBytes(US_ASCII);

    private ServerSocket upstreams;

    @BeforeEach
    void start() throws IOException {
        upstreams = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        upstreams.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
    }

    @AfterEach
    void stop() throws IOException {
        upstreams.close();
    }

    private String upstream() {
        return "127.0.0.1:" + upstreams.getLocalPort();
    }

    /** Everything the next upstream connection receives until the agent's FIN. */
    private byte[] upstreamReceives() throws IOException {
        try (Socket s = upstreams.accept()) {
            s.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
            return s.getInputStream().readAllBytes();
        }
    }

    /** A user connected from {@code from} to the server end at {@code to}, that sends {@link #REQUEST} and a FIN. */
    private static Socket user(String from, String to, int port) throws IOException {
        Socket user = new Socket();
        user.bind(new InetSocketAddress(from, 0));
        user.connect(new InetSocketAddress(to, port), 5_000);
        user.getOutputStream().write(REQUEST);
        user.shutdownOutput();
        return user;
    }

    private static byte[] concat(byte[] header, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static void assertReceived(byte[] header, byte[] received) {
        assertEquals(ByteBufUtil.hexDump(concat(header, REQUEST)), ByteBufUtil.hexDump(received),
                "the header, then the user's bytes: " + new String(received, US_ASCII));
    }

    private static byte[] ip(String address) throws IOException {
        return InetAddress.getByName(address).getAddress();
    }

    /** Version 2, PROXY command, with {@code family} (0x11 TCP over IPv4, 0x21 TCP over IPv6) and its addresses. */
    private static byte[] v2(int family, byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        int length = source.length + destination.length + 4;
        String hex = V2_SIGNATURE + "21" + String.format("%02x%04x", family, length) + ByteBufUtil.hexDump(source)
                + ByteBufUtil.hexDump(destination) + String.format("%04x%04x", sourcePort, destinationPort);
        return ByteBufUtil.decodeHexDump(hex);
    }

    @Test
    void version1CarriesTheUsersIpv4AddressAndPortBeforeItsBytes() throws IOException {
        try (TunnelFixture t = new TunnelFixture().proxyProtocol(ProxyProtocol.V1).startServer()) {
            t.connectedAgent(upstream());
            try (Socket user = user("127.0.0.2", "127.0.0.1", t.userPort())) {
                assertReceived(("PROXY TCP4 127.0.0.2 127.0.0.1 " + user.getLocalPort() + " " + t.userPort() + "\r\n")
                        .getBytes(US_ASCII), upstreamReceives());
            }
        }
    }

    @Test
    void version2CarriesTheUsersIpv4AddressAndPortBeforeItsBytes() throws IOException {
        try (TunnelFixture t = new TunnelFixture().proxyProtocol(ProxyProtocol.V2).startServer()) {
            t.connectedAgent(upstream());
            try (Socket user = user("127.0.0.2", "127.0.0.1", t.userPort())) {
                assertReceived(v2(0x11, ip("127.0.0.2"), ip("127.0.0.1"), user.getLocalPort(), t.userPort()),
                        upstreamReceives());
            }
        }
    }

    @Test
    void bothVersionsCarryIpv6Addresses() throws IOException {
        for (ProxyProtocol version : new ProxyProtocol[] {ProxyProtocol.V1, ProxyProtocol.V2}) {
            try (TunnelFixture t = new TunnelFixture().listen("[::1]:0").proxyProtocol(version).startServer()) {
                t.connectedAgent(upstream());
                try (Socket user = user("::1", "::1", t.userPort())) {
                    byte[] header = version == ProxyProtocol.V1
                            ? ("PROXY TCP6 ::1 ::1 " + user.getLocalPort() + " " + t.userPort() + "\r\n").getBytes(US_ASCII)
                            : v2(0x21, ip("::1"), ip("::1"), user.getLocalPort(), t.userPort());
                    assertReceived(header, upstreamReceives());
                }
            }
        }
    }

    @Test
    void aUserOfAUnixSocketListenIsUnknownAndLoggedOnce(@TempDir Path dir) throws IOException {
        Path socket = dir.resolve("users.sock");
        for (ProxyProtocol version : new ProxyProtocol[] {ProxyProtocol.V1, ProxyProtocol.V2}) {
            byte[] header = version == ProxyProtocol.V1 ? "PROXY UNKNOWN\r\n".getBytes(US_ASCII)
                    : ByteBufUtil.decodeHexDump(V2_SIGNATURE + "20000000"); // LOCAL, AF_UNSPEC, no addresses
            try (LogCapture log = LogCapture.start(ProxyHeader.class.getName());
                    TunnelFixture t = new TunnelFixture().listen("unix:" + socket)
                            .access(TestConfigs.access(Map.of("listen", "unix:" + socket))).proxyProtocol(version)
                            .startServer()) {
                t.connectedAgent(upstream());
                for (int i = 0; i < 2; i++) {
                    try (SocketChannel user = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        user.connect(UnixDomainSocketAddress.of(socket));
                        user.write(ByteBuffer.wrap(REQUEST));
                        user.shutdownOutput();
                        assertReceived(header, upstreamReceives());
                    }
                }
                assertEquals(1, log.matching("sent no user address").size(), "logged once: " + log.matching(""));
            }
        }
    }

    /**
     * A server end of an earlier release ignores the HELLO flag it does not know (PROTOCOL.md §2, [2-1]) and sends
     * OPEN without addresses: the agent still serves the stream, with a header that says the address is unknown.
     */
    @Test
    void aServerEndThatSendsNoAddressesGetsItsStreamsServedWithUnknown() throws Exception {
        try (TunnelFixture t = new TunnelFixture(); RawServer old = new RawServer()) {
            AgentEnd agent = new AgentEnd(t.vertx, new TunnelSpec.Agent("t", DialTarget.parse(old.address()),
                    DialTarget.parse(upstream()), null, TestConfigs.session("t", null), Duration.ofSeconds(5),
                    Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(2), TunnelSpec.Wire.NATIVE, null,
                    ProxyProtocol.V1));
            TunnelFixture.join(agent.start());
            try (RawPeer conn = old.accept()) {
                Frame.Hello hello = (Frame.Hello) conn.readUntil(Frame.Hello.class::isInstance);
                assertTrue(hello.asksAddresses(), "the agent asks for addresses: " + hello);
                conn.send(out -> FrameEncoder.writeChallenge(out, RawPeer.nonce(), new byte[0]));
                conn.readUntil(Frame.Auth.class::isInstance);
                conn.send(out -> {
                    FrameEncoder.writeWelcome(out);
                    FrameEncoder.writeOpen(out, 1);
                    FrameEncoder.writeDataHeader(out, 1, REQUEST.length);
                    out.writeBytes(REQUEST);
                    FrameEncoder.writeFin(out, 1);
                });
                assertReceived("PROXY UNKNOWN\r\n".getBytes(US_ASCII), upstreamReceives());
            } finally {
                TunnelFixture.join(agent.stop());
            }
        }
    }
}
