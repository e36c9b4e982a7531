package dev.itt.mux;

import java.time.Duration;

/**
 * Limits and timings of one session (docs/PROTOCOL.md §8), built from a tunnel's validated configuration. The
 * defaults are declared once, in the tunnel configuration mapping, and listed in docs/CONFIGURATION.md §2.
 *
 * @param tunnel the tunnel name sent in HELLO (agent) or required in it (server)
 * @param credentials the keys of the tunnel's tokens, none for no authentication
 * @param maxStreams streams open at once per session; more are refused
 * @param maxPendingOpens upstream dials the agent runs at once; the streams past them wait (read by the agent end)
 * @param maxStreamWindow cap for a stream's auto-tuned receive window
 * @param sessionWindow receive window of the whole session, the budget all streams share
 * @param keepAliveInterval idle time after which a PING is sent
 * @param keepAliveTimeout silence after which the peer is declared dead
 * @param writeTimeout time queued bytes may wait with none taken by the network before the peer is cut off
 * @param handshakeTimeout time the handshake may take
 * @param maxPingsPerSecond PINGs accepted per second
 * @param maxResetsPerSecond RESET and OPEN_FAILED frames accepted per second
 * @param maxControlFramesPerSecond frames other than DATA and GO_AWAY accepted per second
 * @param maxQueuedBytes bytes the peer may leave unread in our send queue before we give up on it
 * @param asksAddresses agent: HELLO asks for the user's addresses in every OPEN (PROTOCOL.md §5.2); set by the agent
 *     end that writes them in PROXY protocol headers, false from the configuration
 */
public record SessionConfig(
        String tunnel,
        Credentials credentials,
        int maxStreams,
        int maxPendingOpens,
        int maxStreamWindow,
        int sessionWindow,
        Duration keepAliveInterval,
        Duration keepAliveTimeout,
        Duration writeTimeout,
        Duration handshakeTimeout,
        int maxPingsPerSecond,
        int maxResetsPerSecond,
        int maxControlFramesPerSecond,
        long maxQueuedBytes,
        boolean asksAddresses) {

    /** The same settings, with HELLO asking for the user's addresses or not. */
    public SessionConfig asksAddresses(boolean asks) {
        return asks == asksAddresses ? this : new SessionConfig(tunnel, credentials, maxStreams, maxPendingOpens,
                maxStreamWindow, sessionWindow, keepAliveInterval, keepAliveTimeout, writeTimeout, handshakeTimeout,
                maxPingsPerSecond, maxResetsPerSecond, maxControlFramesPerSecond, maxQueuedBytes, asks);
    }

    @Override
    public String toString() {
        return "SessionConfig[tunnel=" + tunnel + ", tokens=" + credentials.keys().size() + ", maxStreams="
                + maxStreams + ", maxStreamWindow=" + maxStreamWindow + ", sessionWindow=" + sessionWindow + "]";
    }
}
