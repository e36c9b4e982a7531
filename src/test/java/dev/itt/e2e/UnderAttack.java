package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.RawPeer;
import dev.itt.testing.RawServer;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scene of every attack row: a real server end (tunnel {@code t}, no token) whose session settings are the
 * defaults with {@code keys} on top, one well-behaved agent serving an echo target, and a user's echo transfer
 * through it that keeps flowing while a hostile raw peer does its worst on the same server end, or, as a hostile
 * server end, on an agent of the same process.
 * {@link #assertOnlyTheHostileWasCut} is the verdict each row ends with.
 */
final class UnderAttack implements AutoCloseable {
    /** Echoed after the attack, to show the transfer still flows, not merely that it did before. */
    private static final long AFTER_ATTACK = 1024 * 1024;

    final LogCapture log;
    final TunnelFixture tunnel;
    private final Target echo;
    private final AgentEnd good;
    private final FlowingEcho flow;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A stream the server end opened on a hostile peer, and the user connection it carries. */
    record HostileStream(Socket user, int id) {}

    private UnderAttack(Map<String, String> keys) throws IOException {
        log = LogCapture.start();
        echo = Target.tcp(Target.Mode.ECHO, 0);
        tunnel = new TunnelFixture().session(TestConfigs.session("t", null, keys)).startServer();
        good = tunnel.connectedAgent(echo.address());
        flow = FlowingEcho.start(tunnel.userPort());
    }

    static UnderAttack start(Map<String, String> keys) throws IOException {
        return new UnderAttack(keys);
    }

    static UnderAttack start() throws IOException {
        return start(Map.of());
    }

    /** A raw connection to the tunnel port, nothing sent yet. */
    RawPeer connect(int receiveBuffer) throws IOException {
        RawPeer p = RawPeer.connect(tunnel.server.tunnelPort(), receiveBuffer);
        opened.add(p);
        return p;
    }

    /** A hostile peer through the handshake and counted by the server end as its second agent, reading. */
    RawPeer hostileAgent() throws IOException {
        RawPeer p = connect(0);
        p.handshake("t");
        p.startReading();
        Await.until("the server end to count the hostile peer as an agent", TunnelFixture.WAIT,
                () -> tunnel.server.stats().agents() == 2);
        return p;
    }

    /**
     * A hostile server end: a real agent with this scene's session settings, on an event loop of its own, dials it
     * and gets through the handshake; the peer then reads on a thread of its own.
     *
     * @param proxy the agent's proxy URL, or null for none
     */
    RawPeer hostileServer(String upstream, String proxy) throws IOException {
        RawServer listener = new RawServer();
        opened.add(listener);
        AgentEnd victim = tunnel.startAgent(listener.address(), upstream, proxy);
        RawPeer p = listener.accept();
        opened.add(p);
        // the server end's side of the handshake without a token (PROTOCOL.md §4.1)
        p.readUntil(Frame.Hello.class::isInstance);
        p.send(out -> FrameEncoder.writeChallenge(out, RawPeer.nonce(), new byte[0]));
        p.readUntil(Frame.Auth.class::isInstance);
        p.send(FrameEncoder::writeWelcome);
        p.startReading();
        Await.until("the agent to take the hostile server end's WELCOME", TunnelFixture.WAIT, victim::isReady);
        return p;
    }

    /**
     * Connects a user; the server end puts its stream on the session with the fewest streams, which is the
     * hostile one while that has none (the good agent carries the transfer). Returns once the OPEN arrived.
     */
    HostileStream openOn(RawPeer hostile, int afterId, int userReceiveBuffer) throws IOException {
        Socket user = new Socket();
        opened.add(user);
        if (userReceiveBuffer > 0) {
            user.setReceiveBufferSize(userReceiveBuffer);
        }
        user.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
        user.connect(new java.net.InetSocketAddress("127.0.0.1", tunnel.userPort()), 5_000);
        Frame.Open open = hostile.await(Frame.Open.class, o -> o.streamId() > afterId);
        return new HostileStream(user, open.streamId());
    }

    HostileStream openOn(RawPeer hostile) throws IOException {
        return openOn(hostile, 0, 0);
    }

    /** Waits until the well-behaved transfer has echoed {@code bytes} more. */
    void awaitFlow(long bytes) {
        flow.awaitMore(bytes);
    }

    /** The session-closing line the server end logged for a connection error with {@code code}, waiting for it. */
    String loggedClose(String code) {
        return log.await("(" + code + ")");
    }

    /**
     * The verdict: the hostile connection is closed, the server end counts exactly the good agent again, that
     * agent is still connected, and its transfer goes on flowing and ends byte-exact.
     */
    void assertOnlyTheHostileWasCut(RawPeer hostile) throws Exception {
        hostile.awaitClosed();
        assertTheGoodAgentIsUntouched(1);
    }

    /**
     * The part of the verdict about the good agent, for every row: {@code sessionsCut} sessions were closed for a
     * connection error in the whole JVM (either end logs each), so none but the hostile ones.
     */
    void assertTheGoodAgentIsUntouched(int sessionsCut) throws Exception {
        Await.until("the server end to count one agent", TunnelFixture.WAIT,
                () -> tunnel.server.stats().agents() == 1);
        flow.awaitMore(AFTER_ATTACK);
        assertTrue(good.isReady(), "the good agent is still connected");
        assertEquals(1, TunnelFixture.fresh(tunnel.server).agents(), "the server end still counts the good agent");
        flow.finish();
        assertEquals(sessionsCut, log.matching("closing session").size(),
                "sessions closed for an error: " + log.matching("closing session"));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        flow.close();
        tunnel.close();
        echo.close();
        log.close();
    }
}
