package dev.itt.wire;

import dev.itt.config.TunnelSpec;
import dev.itt.legacy.LegacyCodec;
import dev.itt.mux.Dialect;
import dev.itt.mux.Flow;
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
 * The one place a tunnel's wire format is chosen, and the only class outside {@code dev.itt.legacy} that knows
 * the legacy format: the native protocol (docs/PROTOCOL.md), or the seed's version-5 format (docs/LEGACY.md),
 * each as a codec plus the behaviour that differs. Deleting the legacy format starts and ends here.
 */
public final class Wires {
    private Wires() {}

    /** The wire format of a tunnel configured with {@code spec}. */
    public static Wire of(TunnelSpec.Wire spec) {
        return spec.legacy() ? new Legacy(spec.legacyMaxPayload()) : Native.INSTANCE;
    }

    /** The native protocol: handshake, credit, keep-alive, half-close, limits; any number of agents. */
    private enum Native implements Wire {
        INSTANCE;

        @Override
        public <T extends Transport & ReadSwitch> Session newSession(Role role, T transport, SessionConfig config,
                SessionHandler handler, Tally tally) {
            return new Session(role, transport, config, handler, Dialect.nativeProtocol(), tally);
        }

        @Override
        public MuxStream open(Session session, SocketAddress user, SocketAddress local) {
            return session.open(user, local);
        }

        @Override
        public int maxAgents() {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * The seed's format: no handshake, no credit (reads pause instead), no keep-alive, no half-close, and no
     * control-frame limits, since a connect, its reply and a close are how every user connection goes; streams
     * keyed by the user's address; and one agent at a time, as the Go server.
     */
    private record Legacy(int maxPayload) implements Wire {
        @Override
        public <T extends Transport & ReadSwitch> Session newSession(Role role, T transport, SessionConfig config,
                SessionHandler handler, Tally tally) {
            return new Session(role, transport, config, handler, new Dialect(new LegacyCodec(role, maxPayload),
                    new Flow.PauseReading(transport), false, false, false, false), tally);
        }

        /** The user's address keys the stream; the format has no room for the address it connected to. */
        @Override
        public MuxStream open(Session session, SocketAddress user, SocketAddress local) {
            ((LegacyCodec) session.codec()).nextUser(user);
            return session.open();
        }

        @Override
        public int maxAgents() {
            return 1;
        }
    }
}
