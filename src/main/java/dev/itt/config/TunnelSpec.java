package dev.itt.config;

import dev.itt.mux.SessionConfig;
import java.time.Duration;

/** A validated tunnel, ready to start: either end, with every value parsed. */
public sealed interface TunnelSpec {

    /** The configuration name ({@code itt.tunnels.NAME}). */
    String name();

    /** Limits, timers and credentials of this tunnel's sessions. */
    SessionConfig session();

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
     * @param tls TLS on the tunnel port, or null for plaintext
     * @param access who may connect, connection limits, and a Unix-socket listen's mode and group
     * @param listenTls TLS for the users at a TCP listen, or null for plaintext
     * @param readyRequiresAgent readiness waits for an agent, not only for the listeners
     */
    record Server(String name, Endpoint listen, Endpoint tunnel, SessionConfig session, Duration drainTimeout,
            Wire wire, TlsSpec.Server tls, Access access, TlsSpec.Server listenTls, boolean readyRequiresAgent)
            implements TunnelSpec {}

    /**
     * Agent: dials {@code downstream} (the server's tunnel address), then {@code upstream} per stream.
     *
     * @param proxy the proxy for {@code proxy:} targets, or null
     * @param tls TLS to the server end, or null for plaintext
     * @param proxyProtocol the PROXY protocol header each upstream connection starts with
     */
    record Agent(String name, DialTarget downstream, DialTarget upstream, ProxyUrl proxy, SessionConfig session,
            Duration connectTimeout, Duration reconnectMin, Duration reconnectMax, Duration drainTimeout, Wire wire,
            TlsSpec.Agent tls, ProxyProtocol proxyProtocol) implements TunnelSpec {
        /** A plaintext agent without PROXY protocol headers. */
        public Agent(String name, DialTarget downstream, DialTarget upstream, ProxyUrl proxy, SessionConfig session,
                Duration connectTimeout, Duration reconnectMin, Duration reconnectMax, Duration drainTimeout,
                Wire wire) {
            this(name, downstream, upstream, proxy, session, connectTimeout, reconnectMin, reconnectMax, drainTimeout,
                    wire, null, ProxyProtocol.NONE);
        }
    }
}
