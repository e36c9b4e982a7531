package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.UserAddresses;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handshake (PROTOCOL.md §4): end to end over every kind of connection, and against a scripted peer. */
class SessionHandshakeTest {

    private Link link;

    private Link start(LinkType over, SessionConfig server, SessionConfig agent) {
        link = over.start(server, agent);
        return link;
    }

    private Link start(LinkType over, String tunnel, String serverToken, String agentToken) {
        return start(over, TestConfigs.session(tunnel, serverToken), TestConfigs.session(tunnel, agentToken));
    }

    @AfterEach
    void closeLink() {
        if (link != null) {
            link.close();
        }
    }

    @OverEveryLink
    void matchingTokenEstablishesBothEnds(LinkType over) {
        Link p = start(over, "docker", "s3cret", "s3cret");
        p.run(() -> {
            assertTrue(p.server().isEstablished());
            assertTrue(p.agent().isEstablished());
            assertTrue(p.serverEvents().established && p.agentEvents().established);
            assertTrue(p.agent().rttNanos() > 0 && p.server().rttNanos() > 0, "both ends measured a round trip");
        });
    }

    /** PROTOCOL.md §5.2: HELLO's ADDRESSES flag decides, per session, whether OPEN carries the user's addresses. */
    @OverEveryLink
    void theUsersAddressesReachOnlyAnAgentWhoseHelloAskedForThem(LinkType over) throws Exception {
        InetSocketAddress user = new InetSocketAddress(InetAddress.getByName("192.0.2.10"), 51000);
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName("2001:db8::20"), 443);
        for (boolean asks : new boolean[] {true, false}) {
            Link p = start(over, TestConfigs.session("t", null), TestConfigs.session("t", null).asksAddresses(asks));
            p.run(() -> {
                p.server().open(user, listen);
                p.server().open(UnixDomainSocketAddress.of("/run/users.sock"), UnixDomainSocketAddress.of("/x"));
            });
            p.settle("both streams to reach the agent", () -> p.agentEvents().opened.size() == 2);
            List<UserAddresses> opened = p.get(() -> new ArrayList<>(p.agentEvents().opened));
            assertEquals(Arrays.asList(asks ? new UserAddresses(user, listen) : null, null), opened,
                    "asked: " + asks + "; a Unix-socket user has no addresses either way");
            p.close();
        }
        link = null;
    }

    @OverEveryLink
    void noTokenOnEitherEndEstablishes(LinkType over) {
        Link p = start(over, "t", null, null);
        p.run(() -> assertTrue(p.agent().isEstablished() && p.server().isEstablished()));
    }

    @OverEveryLink
    void anAgentWithAnotherTokenRefusesTheServerBeforeProvingItsOwn(LinkType over) {
        Link p = start(over, "docker", "s3cret", "guess");
        p.run(() -> {
            assertFalse(p.server().isEstablished());
            assertEquals(ErrorCode.AUTH_FAILED, p.agentEvents().closedCode);
            assertTrue(p.agentEvents().closedReason.contains("did not prove"), p.agentEvents().closedReason);
            assertEquals(ErrorCode.AUTH_FAILED, p.serverEvents().closedCode);
            assertTrue(p.serverEvents().closedReason.contains("refused by peer"), p.serverEvents().closedReason);
        });
    }

    @OverEveryLink
    void anAgentWithATokenRefusesAServerWithoutOne(LinkType over) {
        Link p = start(over, "docker", null, "s3cret");
        p.run(() -> {
            assertFalse(p.server().isEstablished());
            assertEquals(ErrorCode.AUTH_FAILED, p.agentEvents().closedCode);
            assertTrue(p.agentEvents().closedReason.contains("lets any agent in"), p.agentEvents().closedReason);
        });
    }

    @OverEveryLink
    void aServerWithTwoTokensTakesAgentsOfEither(LinkType over) {
        for (String agentToken : new String[] {"old-token", "new-token"}) {
            Link p = start(over, TestConfigs.accepting("docker", List.of("new-token", "old-token")),
                    TestConfigs.session("docker", agentToken));
            p.run(() -> assertTrue(p.agent().isEstablished() && p.server().isEstablished(), agentToken));
            p.close();
            link = null;
        }
    }

    @OverEveryLink
    void agentWithoutTokenIsRefusedByServerWithOne(LinkType over) {
        Link p = start(over, "docker", "s3cret", null);
        p.run(() -> {
            assertEquals(ErrorCode.AUTH_FAILED, p.agentEvents().closedCode);
            assertTrue(p.agentEvents().closedReason.contains("requires a token"), p.agentEvents().closedReason);
        });
    }

    @OverEveryLink
    void unknownTunnelIsRefused(LinkType over) {
        Link p = start(over, TestConfigs.session("docker", null), TestConfigs.session("db", null));
        p.run(() -> {
            assertEquals(ErrorCode.UNKNOWN_TUNNEL, p.agentEvents().closedCode);
            assertTrue(p.agentEvents().closedReason.contains("'db'"), p.agentEvents().closedReason);
        });
    }

    // The cases below play one end frame by frame against a scripted peer: no connection to vary.

    @Test
    void aRecordedAnswerCannotBeReplayed() {
        // a successful handshake, recorded on the wire
        CapturingTransport wire = new CapturingTransport();
        Session first = new Session(Role.SERVER, wire, TestConfigs.session("docker", "s3cret"), new SessionRecorder(), Dialect.nativeProtocol());
        first.start(System.nanoTime());
        first.onRead(frame(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "docker", new byte[32])));
        byte[] nonce1 = wire.challengeNonce();
        byte[] answer = Authenticator.agentProof(AuthKey.derive("s3cret", "docker"), "docker", new byte[32], nonce1);
        first.onRead(frame(out -> FrameEncoder.writeAuth(out, answer)));
        assertTrue(first.isEstablished());

        // the same answer against a new session: a new nonce, so it fails
        CapturingTransport wire2 = new CapturingTransport();
        SessionRecorder events = new SessionRecorder();
        Session second = new Session(Role.SERVER, wire2, TestConfigs.session("docker", "s3cret"), events, Dialect.nativeProtocol());
        second.start(System.nanoTime());
        second.onRead(frame(out -> FrameEncoder.writeHello(out, WireConstants.VERSION, "docker", new byte[32])));
        assertNotEquals(new String(nonce1, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(wire2.challengeNonce(), java.nio.charset.StandardCharsets.ISO_8859_1));
        second.onRead(frame(out -> FrameEncoder.writeAuth(out, answer)));
        assertFalse(second.isEstablished());
        assertEquals(ErrorCode.AUTH_FAILED, events.closedCode);
    }

    @Test
    void aStreamFrameBeforeTheHandshakeIsAProtocolError() {
        CapturingTransport wire = new CapturingTransport();
        SessionRecorder events = new SessionRecorder();
        Session s = new Session(Role.SERVER, wire, TestConfigs.session("t", null), events, Dialect.nativeProtocol());
        s.start(System.nanoTime());
        s.onRead(frame(out -> FrameEncoder.writeOpen(out, 1)));
        assertEquals(ErrorCode.PROTOCOL_ERROR, events.closedCode);
        assertTrue(wire.closed);
    }

    @Test
    void aHandshakeThatDoesNotFinishTimesOut() {
        CapturingTransport wire = new CapturingTransport();
        SessionRecorder events = new SessionRecorder();
        SessionConfig config = TestConfigs.session("t", null);
        Session s = new Session(Role.SERVER, wire, config, events, Dialect.nativeProtocol());
        long start = System.nanoTime();
        s.start(start);
        s.tick(start + config.handshakeTimeout().toNanos() / 2);
        assertFalse(s.isClosed());
        s.tick(start + config.handshakeTimeout().toNanos() + 1);
        assertEquals(ErrorCode.HANDSHAKE_TIMEOUT, events.closedCode);
    }

    interface Writer {
        void write(ByteBuf out);
    }

    static ByteBuf frame(Writer w) {
        ByteBuf b = Unpooled.buffer();
        w.write(b);
        return b;
    }

    /** Keeps what a session writes; reads are never paused here (a format without credit may ask to). */
    static final class CapturingTransport implements Transport, ReadSwitch {
        @Override
        public void pauseReading() {}

        @Override
        public void resumeReading() {}

        final List<ByteBuf> written = new ArrayList<>();
        boolean closed;

        byte[] challengeNonce() {
            ByteBuf last = written.get(written.size() - 1);
            byte[] nonce = new byte[32];
            last.getBytes(last.readerIndex() + 9, nonce);
            return nonce;
        }

        @Override
        public io.netty.buffer.ByteBufAllocator alloc() {
            return dev.itt.testing.FuzzInput.ALLOC; // pooled: tracked by the leak detector when fuzzing
        }

        @Override
        public void write(ByteBuf buf) {
            written.add(buf);
        }

        @Override
        public void flush() {}

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long pendingBytes() {
            return 0;
        }

        @Override
        public long sentMark() {
            return 0;
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
