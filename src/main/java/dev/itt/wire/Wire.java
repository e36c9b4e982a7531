package dev.itt.wire;

import dev.itt.mux.MuxStream;
import dev.itt.mux.ReadSwitch;
import dev.itt.mux.Role;
import dev.itt.mux.Session;
import dev.itt.mux.SessionConfig;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.Tally;
import dev.itt.mux.Transport;
import java.net.SocketAddress;

/**
 * A tunnel's wire format, as the ends need it: a session for each tunnel connection, a stream for each user, and
 * how many agents a server tunnel takes. One per tunnel, from {@link Wires#of}; used on the tunnel's event loop.
 */
public interface Wire {
    /** A session over a new tunnel connection (whose reads a format without credit may pause), not yet started. */
    default <T extends Transport & ReadSwitch> Session newSession(Role role, T transport, SessionConfig config,
            SessionHandler handler) {
        return newSession(role, transport, config, handler, new Tally());
    }

    /** As above, counting into {@code tally}, which the end's other sessions share. */
    <T extends Transport & ReadSwitch> Session newSession(Role role, T transport, SessionConfig config,
            SessionHandler handler, Tally tally);

    /**
     * Server: a stream on {@code session} for a user connected from {@code user} to {@code local} (the listen
     * socket's end), or null when it takes none now.
     */
    MuxStream open(Session session, SocketAddress user, SocketAddress local);

    /** Agents a server tunnel serves at once. */
    int maxAgents();
}
