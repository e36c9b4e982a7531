package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md §1–§3, the frame format: header checks, then the payload checks of each type. Malformed frames
 * are written as raw bytes; the server end's answer is read with the production decoder.
 */
@DisplayName("PROTOCOL.md §1-§3: frames")
class FrameConformanceTest {
    private static ServerUnderTest server;
    private static AgentUnderTest agents;

    @BeforeAll
    static void start() throws IOException {
        server = ServerUnderTest.start(TestConfigs.session(ServerUnderTest.TUNNEL, null));
        agents = new AgentUnderTest();
    }

    @AfterEach
    void cleanUp() throws Exception {
        server.afterEach();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        agents.close();
    }

    /** A header of any type code and flags, as raw bytes. */
    private static void header(ByteBuf out, int length, int type, int flags, int streamId) {
        out.writeMedium(length);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(streamId);
    }

    /** An established raw agent sends {@code bytes} and is cut with {@code code}. */
    private static Frame.GoAway cutFor(ErrorCode code, java.util.function.Consumer<ByteBuf> bytes) throws IOException {
        RawPeer peer = server.agent();
        peer.send(bytes);
        return Expect.connectionError(peer, code);
    }

    @Test
    @DisplayName("[1-1] A receiver MUST decode text fields leniently: a malformed byte sequence becomes U+FFFD, and MUST NOT be an error in itself.")
    @Requirement("1-1")
    void malformedUtf8IsReadAsReplacementCharacters() throws IOException {
        RawPeer peer = server.connect();
        byte[] nonce = RawPeer.nonce();
        peer.send(out -> {
            header(out, 6 + 1 + nonce.length, FrameType.HELLO.code(), 0, 0);
            out.writeInt(WireConstants.MAGIC);
            out.writeByte(WireConstants.VERSION);
            out.writeByte(1);
            out.writeByte(0xFF); // not UTF-8 on its own
            out.writeBytes(nonce);
        });
        peer.startReading();
        Frame.GoAway goAway = Expect.refused(peer, ErrorCode.UNKNOWN_TUNNEL); // a name, only not this tunnel's
        assertTrue(goAway.reason().contains("\uFFFD"), goAway.reason());
    }

    @Test
    @DisplayName("[2-1] A receiver MUST ignore flag bits it does not know, and the flags byte of every type except PING and HELLO.")
    @Requirement("2-1")
    void unknownFlagBitsAreIgnored() throws IOException {
        RawPeer peer = server.agent();
        peer.send(out -> {
            header(out, 4, FrameType.WINDOW_UPDATE.code(), 0xFF, 0);
            out.writeInt(1);
            header(out, 8, FrameType.PING.code(), 0xFE, 0); // every bit but ACK
            out.writeLong(0x0F1A65L);
        });
        peer.await(Frame.Ping.class, p -> p.ack() && p.payload() == 0x0F1A65L);
        Expect.alive(peer);
    }

    @Test
    @DisplayName("[2-2] A receiver MUST treat a length above 65536 as a FRAME_SIZE_ERROR, refused on the header alone")
    @Requirement("2-2")
    void aLengthAbove65536IsRefusedOnTheHeader() throws IOException {
        cutFor(ErrorCode.FRAME_SIZE_ERROR, out -> header(out, 65537, FrameType.DATA.code(), 0, 1)); // no payload sent
    }

    @Test
    @DisplayName("[2-3] A receiver MUST treat a type that is not in §3 as a PROTOCOL_ERROR")
    @Requirement("2-3")
    void anUnknownTypeIsAProtocolError() throws IOException {
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> header(out, 0, 0x0D, 0, 0));
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 4, 0xFF, 0, 1);
            out.writeInt(0);
        });
    }

    @Test
    @DisplayName("[2-4] A receiver MUST treat a frame whose reserved bit of stream id is set as a PROTOCOL_ERROR")
    @Requirement("2-4")
    void theReservedStreamIdBitIsAProtocolError() throws IOException {
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 4, FrameType.WINDOW_UPDATE.code(), 0, 0x8000_0000);
            out.writeInt(1);
        });
    }

    @Test
    @DisplayName("[2-5] A receiver MUST treat a stream id that does not fit the type's scope (§3: a session type on a stream other than 0, a stream type on stream 0) as a PROTOCOL_ERROR")
    @Requirement("2-5")
    void aStreamIdOutsideTheTypesScopeIsAProtocolError() throws IOException {
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 8, FrameType.PING.code(), 0, 3); // a session type on a stream
            out.writeLong(0);
        });
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 1, FrameType.DATA.code(), 0, 0); // a stream type on the session
            out.writeByte(1);
        });
    }

    @Test
    @DisplayName("[2-6] A receiver MUST treat a length outside the type's legal range (§3) as a FRAME_SIZE_ERROR, refused on the header without waiting for the payload.")
    @Requirement("2-6")
    void aLengthOutsideTheTypesRangeIsRefusedOnTheHeader() throws IOException {
        cutFor(ErrorCode.FRAME_SIZE_ERROR, out -> header(out, 16, FrameType.PING.code(), 0, 0)); // payload never sent
        cutFor(ErrorCode.FRAME_SIZE_ERROR, out -> header(out, 0, FrameType.DATA.code(), 0, 1)); // empty DATA
    }

    @Test
    @DisplayName("[2-7] A receiver MUST run these checks in this order, so that the first one that fails gives the code.")
    @Requirement("2-7")
    void theHeaderChecksRunInTheirOrder() throws IOException {
        // length before type: an unknown type with a length too long is a FRAME_SIZE_ERROR
        cutFor(ErrorCode.FRAME_SIZE_ERROR, out -> header(out, 65537, 0x0D, 0, 0));
        // scope before length: an empty DATA on stream 0 is a PROTOCOL_ERROR
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> header(out, 0, FrameType.DATA.code(), 0, 0));
    }

    @Test
    @DisplayName("[2-8] A receiver MUST accept frames split across reads and several frames in one read: framing does not depend on how the bytes are segmented.")
    @Requirement("2-8")
    void framingDoesNotDependOnSegmentation() throws IOException {
        RawPeer peer = server.connect();
        peer.dribble(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, ServerUnderTest.TUNNEL,
                RawPeer.nonce()));
        peer.readUntil(Frame.Challenge.class::isInstance);
        peer.dribble(out -> FrameEncoder.writeAuth(out, new byte[0]));
        peer.readUntil(Frame.Welcome.class::isInstance);
        peer.startReading();
        peer.send(out -> {
            for (long i = 1; i <= 3; i++) {
                FrameEncoder.writePing(out, false, 0xC0A1E5CE00L + i);
            }
        });
        for (long i = 1; i <= 3; i++) {
            long payload = 0xC0A1E5CE00L + i;
            peer.await(Frame.Ping.class, p -> p.ack() && p.payload() == payload);
        }
    }

    @Test
    @DisplayName("[2-9] On an error the frame decoder finds, the receiver MUST send GO_AWAY with the code (§9) and close the connection, and MUST NOT act on anything after the bad frame.")
    @Requirement("2-9")
    void nothingAfterABadFrameIsActedOn() throws IOException {
        RawPeer peer = server.agent();
        peer.send(out -> {
            header(out, 0, 0x0D, 0, 0);
            FrameEncoder.writePing(out, false, 0xAF7E4L); // in the same write, right behind it
        });
        Expect.connectionError(peer, ErrorCode.PROTOCOL_ERROR);
        assertTrue(Expect.of(peer, Frame.Ping.class).stream().noneMatch(p -> p.ack() && p.payload() == 0xAF7E4L),
                "the PING after the bad frame was answered: " + peer.frames());
    }

    @Test
    @DisplayName("[3-1] A receiver MUST treat a WINDOW_UPDATE increment of 0, or one with the top bit set, as a PROTOCOL_ERROR, checked once the payload has arrived.")
    @Requirement("3-1")
    void aWindowUpdateOfZeroOrWithTheTopBitIsAProtocolError() throws IOException {
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> FrameEncoder.writeWindowUpdate(out, 0, 0));
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> FrameEncoder.writeWindowUpdate(out, 0, 0x8000_0000));
    }

    @Test
    @DisplayName("[3-2] A receiver MUST treat a GO_AWAY whose last stream id has the reserved bit set as a PROTOCOL_ERROR, checked once the payload has arrived.")
    @Requirement("3-2")
    void aGoAwayWhoseLastStreamIdHasTheReservedBitIsAProtocolError() throws IOException {
        cutFor(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 8, FrameType.GO_AWAY.code(), 0, 0);
            out.writeInt(0x8000_0001);
            out.writeInt(ErrorCode.NO_ERROR.code());
        });
    }

    /** A stranger's first frame, refused with {@code code}. */
    private static void helloRefused(ErrorCode code, java.util.function.Consumer<ByteBuf> hello) throws IOException {
        RawPeer peer = server.connect();
        peer.send(hello);
        peer.startReading();
        Expect.refused(peer, code);
    }

    @Test
    @DisplayName("[3-3] A receiver MUST treat a HELLO with a wrong magic as a PROTOCOL_ERROR.")
    @Requirement("3-3")
    void aHelloWithAWrongMagicIsAProtocolError() throws IOException {
        helloRefused(ErrorCode.PROTOCOL_ERROR, out -> {
            header(out, 6 + 1 + 32, FrameType.HELLO.code(), 0, 0);
            out.writeInt(0x4954543F); // ITT?
            out.writeByte(WireConstants.VERSION);
            out.writeByte(1);
            out.writeByte('t');
            out.writeBytes(RawPeer.nonce());
        });
    }

    @Test
    @DisplayName("[3-4] A receiver MUST treat a HELLO whose name length is 0, or leaves room for neither 0 nor 32 nonce bytes, as a FRAME_SIZE_ERROR.")
    @Requirement("3-4")
    void aHelloWhoseNameLengthDoesNotFitIsAFrameSizeError() throws IOException {
        helloRefused(ErrorCode.FRAME_SIZE_ERROR, out -> {
            header(out, 7, FrameType.HELLO.code(), 0, 0);
            out.writeInt(WireConstants.MAGIC);
            out.writeByte(WireConstants.VERSION);
            out.writeByte(0); // no name, and a stray byte
            out.writeByte('t');
        });
        helloRefused(ErrorCode.FRAME_SIZE_ERROR, out -> {
            header(out, 6 + 1 + 31, FrameType.HELLO.code(), 0, 0);
            out.writeInt(WireConstants.MAGIC);
            out.writeByte(WireConstants.VERSION);
            out.writeByte(1);
            out.writeByte('t');
            out.writeBytes(new byte[31]); // a nonce one byte short
        });
    }

    @Test
    @DisplayName("[3-5] A receiver MUST treat a CHALLENGE whose length is not 32 plus a multiple of 32 as a FRAME_SIZE_ERROR; one below 32 or above 288 is refused on the header.")
    @Requirement("3-5")
    void aChallengeThatIsNotANonceAndWholeProofsIsAFrameSizeError() throws Exception {
        try (AgentUnderTest.Dial dial = agents.dial()) {
            dial.conn.send(out -> {
                header(out, 33, FrameType.CHALLENGE.code(), 0, 0);
                out.writeBytes(new byte[33]);
            });
            dial.conn.startReading();
            Expect.refused(dial.conn, ErrorCode.FRAME_SIZE_ERROR);
            assertTrue(Expect.of(dial.conn, Frame.Auth.class).isEmpty(), "no AUTH for a broken CHALLENGE");
        }
    }

    @Test
    @DisplayName("[3-7] A receiver MUST treat an OPEN whose length is not 0, 12 or 36 as a FRAME_SIZE_ERROR.")
    @Requirement("3-7")
    void anOpenOfNeitherNoAddressesNorIpv4OrIpv6OnesIsAFrameSizeError() throws Exception {
        for (int length : new int[] {13, 37}) { // checked once the payload is in, and on the header
            try (AgentUnderTest.Dial dial = agents.dial()) {
                dial.establish();
                dial.conn.send(out -> {
                    header(out, length, FrameType.OPEN.code(), 0, 1);
                    out.writeZero(length);
                });
                Expect.connectionError(dial.conn, ErrorCode.FRAME_SIZE_ERROR);
                assertTrue(Expect.of(dial.conn, Frame.OpenOk.class).isEmpty(), "no upstream for a broken OPEN");
            }
        }
    }

    @Test
    @DisplayName("[3-6] A receiver MUST treat an AUTH of any other length as a FRAME_SIZE_ERROR.")
    @Requirement("3-6")
    void anAuthOfNeitherZeroNor32BytesIsAFrameSizeError() throws IOException {
        RawPeer peer = server.connect();
        peer.send(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, ServerUnderTest.TUNNEL, RawPeer.nonce()));
        peer.readUntil(Frame.Challenge.class::isInstance);
        peer.send(out -> FrameEncoder.writeAuth(out, new byte[16]));
        peer.startReading();
        Expect.refused(peer, ErrorCode.FRAME_SIZE_ERROR);
        assertTrue(Expect.of(peer, Frame.Welcome.class).isEmpty());
    }
}
