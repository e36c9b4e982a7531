package dev.itt.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One named tunnel. {@code listen} + {@code tunnel} make a server end; {@code downstream} + {@code upstream}
 * (+ {@code proxy}) an agent. {@link ConfigValidator} checks the combination.
 *
 * <p>The {@code @WithDefault}s here are the only place a default is written down: {@link ConfigValidator} reads
 * every value from this mapping, and a test holds docs/CONFIGURATION.md §2 to the same keys and defaults.
 */
public interface TunnelConfig {
    /** Server end: where users connect ({@code host:port}, {@code [v6]:port}, {@code unix:/path}). */
    Optional<String> listen();

    /** Server end: where agents connect. */
    Optional<String> tunnel();

    /** Agent: the server's tunnel address to dial; prefix {@code proxy:} to dial it through {@code proxy}. */
    Optional<String> downstream();

    /** Agent: the service to dial for each stream; prefix {@code proxy:} to dial it through {@code proxy}. */
    Optional<String> upstream();

    /** Agent: {@code socks5://}, {@code socks5h://} or {@code http://} proxy, for {@code proxy:} targets. */
    Optional<String> proxy();

    /**
     * Agent: {@code v1} or {@code v2} writes a PROXY protocol header with the user's address first on each upstream
     * connection (for an upstream that reads one, such as nginx's {@code listen ... proxy_protocol}); {@code none}
     * writes nothing. Native protocol only.
     */
    @WithDefault("none")
    String proxyProtocol();

    // --- tokens (docs/SECURITY.md "Tokens") ---

    /** Shared secret for the handshake's challenge–response; both ends must agree. Never logged. */
    Optional<String> token();

    /**
     * A file of tokens, one per line (blank lines and {@code #} comment lines skipped), instead of {@code token}:
     * a server end accepts any of them, an agent uses the first; re-read when it changes. Never logged.
     */
    Optional<String> tokenFile();

    // --- end of tokens ---

    /** Tunnel name sent in the handshake (agent) or required in it (server); defaults to the config name. */
    Optional<String> name();

    /**
     * Wire protocol: {@code native}, or {@code legacy} to interoperate with the Go programs ITT descends from
     * (no authentication, no flow control between streams, no half-close; docs/LEGACY.md).
     */
    @WithDefault("native")
    String protocol();

    /** Legacy protocol: the largest data message accepted from the peer; more closes the tunnel connection. */
    @WithDefault("1M")
    MemorySize legacyMaxPayload();

    /** Idle time on the tunnel connection after which a PING is sent. */
    @WithDefault("10s")
    Duration keepAliveInterval();

    /** Silence on the tunnel connection after which the peer is declared dead. */
    @WithDefault("30s")
    Duration keepAliveTimeout();

    /** Time bytes queued for the tunnel connection may wait with none taken by the network; then it is closed. */
    @WithDefault("30s")
    Duration writeTimeout();

    /** Time the handshake may take. */
    @WithDefault("10s")
    Duration handshakeTimeout();

    /** Agent: time a dial (server or upstream) may take. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Agent: first reconnect delay; doubles (with jitter) on each failure. */
    @WithDefault("50ms")
    Duration reconnectMin();

    /** Agent: longest reconnect delay. */
    @WithDefault("30s")
    Duration reconnectMax();

    /** On shutdown, how long open streams may finish after GO_AWAY. */
    @WithDefault("5s")
    Duration drainTimeout();

    /** Server end: readiness waits for at least one agent, not only for the listeners. */
    @WithDefault("true")
    boolean readyRequiresAgent();

    /** Streams open at once on one tunnel connection. */
    @WithDefault("16384")
    int maxStreams();

    /** Upstream dials the agent runs at once; the streams opened past them wait for one (PROTOCOL.md [8-3]). */
    @WithDefault("1024")
    int maxPendingOpens();

    /** Cap of a stream's auto-tuned receive window. */
    @WithDefault("32M")
    MemorySize maxStreamWindow();

    /** Receive window of a whole tunnel connection: the most it buffers for all its streams together. */
    @WithDefault("64M")
    MemorySize sessionWindow();

    /** PINGs the peer may send in one second (acknowledgements not counted); one more closes the connection. */
    @WithDefault("100")
    int maxPingsPerSecond();

    /** RESET and OPEN_FAILED frames the peer may send in one second; one more closes the tunnel connection. */
    @WithDefault("2000")
    int maxResetsPerSecond();

    /** Frames other than DATA and GO_AWAY the peer may send in one second; one more closes the tunnel connection. */
    @WithDefault("200000")
    int maxControlFramesPerSecond();

    /** Bytes the peer may leave unread in this end's send queue; more close the tunnel connection. */
    @WithDefault("16M")
    MemorySize maxQueuedBytes();

    // --- TLS on the tunnel connection (docs/CONFIGURATION.md §2, tls.* rows) ---

    /** TLS on the tunnel connection: {@code tls.cert}, {@code tls.key}, {@code tls.client-ca}, {@code tls.trust}, ... */
    TlsConfig tls();

    /** Server end, TCP {@code listen}: TLS for the users, {@code listen-tls.cert}, {@code .key}, {@code .client-ca}. */
    ListenTlsConfig listenTls();

    // --- Who may connect (server end; docs/SECURITY.md "Who may connect"; built into Access) ---

    /** Server end: address blocks (CIDR) users may connect to {@code listen} from; unset lets everyone in. */
    Optional<List<String>> allow();

    /** Server end: address blocks (CIDR) agents may connect to {@code tunnel} from; unset lets everyone in. */
    Optional<List<String>> agentAllow();

    /**
     * Server end: tunnel connections that have not finished the handshake, at once; one more is closed at once
     * (with TLS, counted from the end of the TLS handshake).
     */
    @WithDefault("64")
    int maxHandshakes();

    /** Server end: tunnel connections from one IP address that have not finished the handshake, at once. */
    @WithDefault("8")
    int maxHandshakesPerSource();

    /** Server end: user connections open at once on this tunnel; unset for no limit of its own. */
    OptionalInt maxConnections();

    /** Server end: user connections open at once from one IP address; unset for no limit. */
    OptionalInt maxConnectionsPerSource();

    /** Server end: a user connection with no bytes either way for this long is closed; unset for never. */
    Optional<Duration> idleTimeout();

    /** Server end, Unix-socket {@code listen}: the socket file's permissions, in octal. */
    @WithDefault("0660")
    String listenMode();

    /** Server end, Unix-socket {@code listen}: the socket file's group (a group name). */
    Optional<String> listenGroup();
}
