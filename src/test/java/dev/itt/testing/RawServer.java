package dev.itt.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;

/**
 * A fake server end: a plain listening socket on loopback that a real agent dials, each accepted connection a
 * {@link RawPeer} the test plays the server end's part on, frame by frame. Accepting waits at most
 * {@link TunnelFixture#WAIT}, so an agent that never dials fails the test instead of hanging it.
 */
public final class RawServer implements AutoCloseable {
    private final ServerSocket socket;

    public RawServer() throws IOException {
        socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        socket.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
    }

    /** What an agent's {@code downstream} names to dial this server. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** The next connection an agent made. */
    public RawPeer accept() throws IOException {
        try {
            return RawPeer.accepted(socket.accept());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no agent dialed " + address() + " within " + TunnelFixture.WAIT.toSeconds() + " s");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
