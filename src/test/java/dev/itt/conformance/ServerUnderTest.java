package dev.itt.conformance;

import dev.itt.mux.SessionConfig;
import dev.itt.mux.wire.Frame;
import dev.itt.testing.Await;
import dev.itt.testing.RawPeer;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server end (tunnel {@code t}) on loopback for the cases of one class, played against by raw peers. The
 * peers and users a case opens are closed after it ({@link #afterEach}), and the next case starts only once the
 * server end counts no agent, so that a user's stream always goes to the one raw agent the case has connected.
 */
final class ServerUnderTest implements AutoCloseable {
    static final String TUNNEL = "t";

    final TunnelFixture fixture;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A stream the server end opened on a raw agent for a user's connection, and the OPEN that did. */
    record Stream(Socket user, int id, Frame.Open open) {}

    private ServerUnderTest(SessionConfig session) {
        fixture = new TunnelFixture().session(session).startServer();
    }

    static ServerUnderTest start(SessionConfig session) {
        return new ServerUnderTest(session);
    }

    /** A raw connection to the tunnel port, nothing sent and nothing read yet. */
    RawPeer connect() throws IOException {
        return connect(0);
    }

    RawPeer connect(int receiveBuffer) throws IOException {
        RawPeer p = RawPeer.connect(fixture.server.tunnelPort(), receiveBuffer);
        opened.add(p);
        return p;
    }

    /** A raw agent through the handshake (granting the default session window), reading on its own thread. */
    RawPeer agent() throws IOException {
        return agent(true);
    }

    RawPeer agent(boolean grantSessionWindow) throws IOException {
        return agentWithHelloFlags(grantSessionWindow, 0);
    }

    /** A raw agent whose HELLO carries {@code flags} (ADDRESSES = 0x1 asks for the user's addresses in OPEN). */
    RawPeer agentWithHelloFlags(boolean grantSessionWindow, int flags) throws IOException {
        RawPeer p = connect();
        p.handshake(TUNNEL, grantSessionWindow, flags);
        p.startReading();
        return p;
    }

    /** A user connected to the listen port, not yet given a stream. */
    Socket user() throws IOException {
        return user(null);
    }

    /** A user connected from the loopback address {@code from} (127.0.0.2 is one of its own), or any if null. */
    Socket user(String from) throws IOException {
        Socket user = new Socket();
        opened.add(user);
        if (from != null) {
            user.bind(new InetSocketAddress(from, 0));
        }
        user.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
        user.connect(new InetSocketAddress("127.0.0.1", fixture.userPort()), 5_000);
        return user;
    }

    /** A user, and the OPEN its connection made the server end send to {@code agent} (the only agent). */
    Stream open(RawPeer agent) throws IOException {
        return open(agent, null);
    }

    /** As {@link #open(RawPeer)}, for a user connected from {@code from} (see {@link #user(String)}). */
    Stream open(RawPeer agent, String from) throws IOException {
        int before = Expect.of(agent, Frame.Open.class).size();
        Socket user = user(from);
        Await.until("the server end to OPEN a stream for the user", TunnelFixture.WAIT,
                () -> Expect.of(agent, Frame.Open.class).size() > before || agent.ended());
        List<Frame.Open> opens = Expect.of(agent, Frame.Open.class);
        if (opens.size() <= before) {
            throw new AssertionError("the connection ended without an OPEN: " + agent.frames());
        }
        return new Stream(user, opens.get(before).streamId(), opens.get(before));
    }

    /** Closes what the case opened and waits until the server end counts no agent. */
    void afterEach() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        opened.clear();
        Await.until("the server end to count no agent", TunnelFixture.WAIT,
                () -> fixture.server.stats().agents() == 0);
    }

    @Override
    public void close() throws Exception {
        afterEach();
        fixture.close();
    }
}
