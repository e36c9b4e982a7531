package dev.itt.config;

import dev.itt.mux.SessionConfig;
import java.time.Duration;

/** A validated tunnel, ready to start: either end, with every value parsed. */
public sealed interface TunnelSpec {

    /** The configuration name ({@code itt.tunnels.NAME}). */
    String name();

    /** The wire format on the tunnel connection. */
    Wire wire();

    /**
     * Native protocol, or the seed's legacy one.
     *
     * @param legacyMaxPayload legacy only: the largest data message accepted
     */
    record Wire(boolean legacy, int legacyMaxPayload) {
        public static final Wire NATIVE = new Wire(false, 0);
    }

    /**
     * Server end: users connect to {@code listen}, agents to {@code tunnel}.
     *
     * @param drainTimeout how long streams may finish after GO_AWAY on shutdown
     * @param access who may connect, connection limits, and a Unix-socket listen's mode and group
     */
    record Server(String name, Endpoint listen, Endpoint tunnel, SessionConfig session, Duration drainTimeout,
            Wire wire, Access access) implements TunnelSpec {
        /** A server end that lets everyone connect, without limits ({@link Access#OPEN}). */
        public Server(String name, Endpoint listen, Endpoint tunnel, SessionConfig session, Duration drainTimeout,
                Wire wire) {
            this(name, listen, tunnel, session, drainTimeout, wire, Access.OPEN);
        }
    }

    /**
     * Agent: dials {@code downstream} (the server's tunnel address), then {@code upstream} per stream.
     *
     * @param proxy the proxy for {@code proxy:} targets, or null
     */
    record Agent(String name, DialTarget downstream, DialTarget upstream, ProxyUrl proxy, SessionConfig session,
            Duration connectTimeout, Duration reconnectMin, Duration reconnectMax, Duration drainTimeout, Wire wire)
            implements TunnelSpec {}
}
