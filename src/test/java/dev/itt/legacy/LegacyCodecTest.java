package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.Role;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.MuxException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worked examples of LEGACY-PROTOCOL.md, both directions, whole, byte by byte and split at every offset. */
class LegacyCodecTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A codec with a cap no message of these tests comes near. */
    static LegacyCodec codec(Role role) {
        return new LegacyCodec(role, 1024 * 1024);
    }

    /** The server codec's OPEN for {@code user}: the address it keys the stream by comes first. */
    static ByteBuf open(LegacyCodec codec, int streamId, java.net.SocketAddress user) {
        codec.nextUser(user);
        return codec.open(ALLOC, streamId, null);
    }

    // LEGACY-PROTOCOL.md, "Worked example (hex)"
    static final String CONNECT_V4 = "05010001 7f000001 c350";
    static final String SEND_HELLO = "05040001 7f000001 c350 00000005 68656c6c6f";
    static final String SUCCESS_V6 = "05000004 00000000000000000000000000000001 01bb";
    static final String PACKET_HI_V6 = "05ff0004 00000000000000000000000000000001 01bb 00000002 6869";
    static final String CONN_CLOSE_V6 = "05fe0004 00000000000000000000000000000001 01bb";

    static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s.replace(" ", ""));
    }

    static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    static Frame.Data data(int streamId, String ascii) {
        return new Frame.Data(streamId, Unpooled.copiedBuffer(ascii, StandardCharsets.US_ASCII));
    }

    /** The frames with every OPEN_FAILED reason dropped: the text is the codec's own, the legacy wire has none. */
    static List<Frame> reasonless(List<Frame> frames) {
        return frames.stream().map(f -> f instanceof Frame.OpenFailed o
                ? new Frame.OpenFailed(o.streamId(), o.code(), null) : f).toList();
    }

    /** Every way of cutting {@code wire} into reads gives the same frames. */
    static void decodeAllWays(LegacyCodecFactory factory, byte[] wire, List<Frame> expected) throws Exception {
        for (int split = 0; split <= wire.length; split++) {
            FrameCollector e = new FrameCollector();
            LegacyCodec c = factory.make();
            c.decode(Unpooled.wrappedBuffer(wire, 0, split), e);
            c.decode(Unpooled.wrappedBuffer(wire, split, wire.length - split), e);
            assertEquals(expected, e.frames, "split at " + split);
        }
        FrameCollector e = new FrameCollector();
        LegacyCodec c = factory.make();
        for (byte b : wire) {
            ByteBuf one = ALLOC.buffer(1).writeByte(b);
            c.decode(one, e);
        }
        assertEquals(expected, e.frames, "byte by byte");
    }

    interface LegacyCodecFactory {
        LegacyCodec make() throws Exception;
    }

    @Test
    void theServerWritesConnectAndSendExactlyAsTheSpecShows() throws Exception {
        LegacyCodec server = codec(Role.SERVER);
        ByteBuf connect = open(server, 1, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 50000));
        assertEquals(hex(CONNECT_V4.replace(" ", "")).length, connect.readableBytes());
        assertEquals(CONNECT_V4.replace(" ", ""), hex(connect));
        ByteBuf send = server.dataHeader(ALLOC, 1, 5);
        send.writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals(SEND_HELLO.replace(" ", ""), hex(send));
    }

    @Test
    void theAgentReadsConnectAndSendEveryWay() throws Exception {
        byte[] wire = concat(hex(CONNECT_V4), hex(SEND_HELLO));
        decodeAllWays(() -> codec(Role.AGENT), wire, List.of(new Frame.Open(1), data(1, "hello")));
    }

    @Test
    void theAgentWritesSuccessPacketAndConnCloseEchoingTheKey() throws Exception {
        LegacyCodec agent = codec(Role.AGENT);
        FrameCollector e = new FrameCollector();
        agent.decode(Unpooled.wrappedBuffer(hex("05010004 00000000000000000000000000000001 01bb")), e);
        assertEquals(List.of(new Frame.Open(1)), e.frames);
        assertEquals(SUCCESS_V6.replace(" ", ""), hex(agent.openOk(ALLOC, 1)));
        ByteBuf packet = agent.dataHeader(ALLOC, 1, 2);
        packet.writeBytes("hi".getBytes(StandardCharsets.US_ASCII));
        assertEquals(PACKET_HI_V6.replace(" ", ""), hex(packet));
        assertEquals(CONN_CLOSE_V6.replace(" ", ""), hex(agent.fin(ALLOC, 1)));
    }

    @Test
    void theServerReadsSuccessPacketAndConnCloseEveryWay() throws Exception {
        byte[] wire = concat(hex(SUCCESS_V6), hex(PACKET_HI_V6), hex(CONN_CLOSE_V6));
        decodeAllWays(() -> {
            LegacyCodec server = codec(Role.SERVER);
            open(server, 1, new InetSocketAddress(InetAddress.getByName("::1"), 443)).release();
            return server;
        }, wire, List.of(new Frame.OpenOk(1), data(1, "hi"), new Frame.Reset(1, ErrorCode.NO_ERROR)));
    }

    @Test
    void everyFailureReplyMapsToItsReason() throws Exception {
        String[][] cases = {{"01", "CONNECT_FAILED"}, {"03", "NETWORK_UNREACHABLE"}, {"04", "HOST_UNREACHABLE"},
            {"05", "CONNECT_REFUSED"}};
        for (String[] c : cases) {
            LegacyCodec server = codec(Role.SERVER);
            open(server, 7, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 50000)).release();
            FrameCollector e = new FrameCollector();
            server.decode(Unpooled.wrappedBuffer(hex("05" + c[0] + "0001 7f000001 c350")), e);
            assertEquals(List.of(new Frame.OpenFailed(7, ErrorCode.valueOf(c[1]), null)), reasonless(e.frames),
                    "reply " + c[0]);
        }
    }

    @Test
    void everyDialFailureReasonBecomesItsFailureReply() throws Exception {
        Object[][] cases = {{ErrorCode.CONNECT_REFUSED, "05"}, {ErrorCode.HOST_UNREACHABLE, "04"},
            {ErrorCode.NETWORK_UNREACHABLE, "03"}, {ErrorCode.CONNECT_FAILED, "01"}, {ErrorCode.UNKNOWN_HOST, "01"},
            {ErrorCode.CONNECT_TIMEOUT, "01"}, {ErrorCode.PROXY_ERROR, "01"}, {ErrorCode.REFUSED_STREAM, "01"}};
        for (Object[] c : cases) {
            LegacyCodec agent = codec(Role.AGENT);
            agent.decode(Unpooled.wrappedBuffer(hex(CONNECT_V4)), new FrameCollector());
            ByteBuf reply = agent.openFailed(ALLOC, 1, (ErrorCode) c[0], "reason");
            assertEquals(("05" + c[1] + "0001 7f000001 c350").replace(" ", ""), hex(reply), c[0].toString());
            reply.release();
        }
    }

    @Test
    void ipv4MappedUsersGoAsTypeOneEvenWhenHeldAsAnInet6Address() throws Exception {
        // InetAddress.getByName("::ffff:10.0.0.1") and Netty both already give an Inet4Address; this one stays IPv6
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        InetAddress held = Inet6Address.getByAddress(null, mapped, (NetworkInterface) null);
        assertInstanceOf(Inet6Address.class, held);
        LegacyCodec server = codec(Role.SERVER);
        assertEquals("050100010a0000010050", hex(open(server, 1, new InetSocketAddress(held, 80))));
        FrameCollector e = new FrameCollector();
        server.decode(Unpooled.wrappedBuffer(hex("05000001 0a000001 0050")), e);
        assertEquals(List.of(new Frame.OpenOk(1)), e.frames, "the agent's reply with the 4-byte key finds the user");
    }

    @Test
    void unixUsersGetUniqueInventedKeys() {
        LegacyCodec server = codec(Role.SERVER);
        String a = hex(open(server, 2, null));
        String b = hex(open(server, 3, null));
        assertTrue(a.startsWith("05010004fd"), a);
        assertNotEquals(a, b);
    }

    @Test
    void messagesForUnknownKeysAreIgnored() throws Exception {
        LegacyCodec server = codec(Role.SERVER);
        FrameCollector e = new FrameCollector();
        server.decode(Unpooled.wrappedBuffer(concat(hex(PACKET_HI_V6), hex(SUCCESS_V6))), e);
        assertEquals(List.of(), e.frames);
    }

    @Test
    void brokenMessagesAreProtocolErrorsWithTheReason() {
        String[][] cases = {
            {"AGENT", "06010001 7f000001 c350", "legacy version 6"},
            {"AGENT", "05010003 7f000001 c350", "legacy address type 3"},
            {"AGENT", "05020001 7f000001 c350", "legacy command 2 from the server"},
            {"SERVER", "05020001 7f000001 c350", "legacy command 2 from the agent"},
            {"AGENT", "05040001 7f000001 c350 00100001", "exceeds the cap of 1048576"}};
        for (String[] c : cases) {
            LegacyCodec codec = codec(Role.valueOf(c[0]));
            MuxException e = assertThrows(MuxException.class,
                    () -> codec.decode(Unpooled.wrappedBuffer(hex(c[1])), new FrameCollector()));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
    }

    @Test
    void theLegacyFormatSendsNothingForNativeOnlyFrames() {
        LegacyCodec c = codec(Role.AGENT);
        assertEquals(null, c.ping(ALLOC, false, 1));
        assertEquals(null, c.windowUpdate(ALLOC, 1, 100));
        assertEquals(null, c.goAway(ALLOC, 0, ErrorCode.NO_ERROR, "bye"));
        assertEquals(null, c.hello(ALLOC, "t", new byte[32], false));
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
