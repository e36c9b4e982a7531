package dev.itt.config;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.itt.mux.AuthKey;
import dev.itt.mux.Credentials;
import dev.itt.mux.SessionConfig;
import dev.itt.mux.wire.WireConstants;
import io.smallrye.config.ConfigMappings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Turns the configured tunnels into {@link TunnelSpec}s, or fails with every problem at once, each message naming
 * the tunnel and the key (the user should not fix them one restart at a time).
 */
public final class ConfigValidator {
    private static final Logger LOG = Logger.getLogger(ConfigValidator.class);

    /**
     * Keys of a tunnel, as they appear after {@code itt.tunnels.NAME.}, in name order: SmallRye's own property
     * names for the mapping, so that a key added to {@link TunnelConfig} is known here without a second list.
     */
    static final List<String> KEYS = keys();

    private static List<String> keys() {
        String prefix = "itt.tunnels.*.";
        List<String> keys = ConfigMappings.ConfigClass.configClass(IttConfig.class, "itt").getProperties().keySet()
                .stream().filter(p -> p.startsWith(prefix)).map(p -> p.substring(prefix.length()))
                // a list key is also listed indexed, allow[*]; the key is allow
                .filter(k -> !k.endsWith("[*]")).sorted().toList();
        if (keys.isEmpty()) {
            throw new IllegalStateException("the mapping has no property under " + prefix);
        }
        return keys;
    }

    private final List<String> problems = new ArrayList<>();
    /** Whether to log what is used but weak; off for a look ahead of start-up, which repeats the warning. */
    private final boolean warn;

    private ConfigValidator(boolean warn) {
        this.warn = warn;
    }

    /**
     * The problems of these tunnels, ahead of start-up and without a word in the log: the command line checks the
     * tunnel its flags make before anything starts.
     */
    public static List<String> problems(Map<String, TunnelConfig> tunnels) {
        ConfigValidator v = new ConfigValidator(false);
        new TreeMap<>(tunnels).forEach(v::tunnel);
        return List.copyOf(v.problems);
    }

    /**
     * @param tunnels the mapped configuration
     * @param env the process environment, checked for {@code ITT_TUNNELS_*} variables that set nothing
     */
    public static List<TunnelSpec> validate(Map<String, TunnelConfig> tunnels, Map<String, String> env) {
        ConfigValidator v = new ConfigValidator(true);
        List<TunnelSpec> specs = new ArrayList<>();
        for (Map.Entry<String, TunnelConfig> e : new TreeMap<>(tunnels).entrySet()) {
            TunnelSpec spec = v.tunnel(e.getKey(), e.getValue());
            if (spec != null) {
                specs.add(spec);
            }
        }
        v.environment(env);
        if (!v.problems.isEmpty()) {
            throw new ConfigException(v.problems);
        }
        return specs;
    }

    private TunnelSpec tunnel(String name, TunnelConfig c) {
        int before = problems.size();
        boolean server = c.listen().isPresent() || c.tunnel().isPresent();
        boolean agent = c.downstream().isPresent() || c.upstream().isPresent() || c.proxy().isPresent();
        if (server && agent) {
            problem(name, null, "mixes server keys (listen, tunnel) with agent keys (downstream, upstream, proxy);"
                    + " a tunnel is one end or the other: split it into two tunnels");
            return null;
        }
        if (!server && !agent) {
            problem(name, null, "is neither a server end (set listen and tunnel) nor an agent"
                    + " (set downstream and upstream)");
            return null;
        }
        TunnelSpec.Wire wire = wire(name, c);
        String wireName = c.name().orElse(name);
        if (wireName.isEmpty() || wireName.getBytes(UTF_8).length > WireConstants.MAX_NAME_LENGTH) {
            problem(name, "name", "'" + wireName + "' must be 1 to 255 bytes");
        }
        SessionConfig session = session(name, wireName, c);
        TlsSpec.Engine engine = TlsSpec.Engine.of(c.tls(), (key, message) -> problem(name, key, message));
        if (server) {
            Endpoint listen = required(name, "listen", c.listen(), Endpoint::parse, "a server end needs listen");
            Endpoint tunnel = required(name, "tunnel", c.tunnel(), Endpoint::parse, "a server end needs tunnel");
            positive(name, "drain-timeout", c.drainTimeout());
            TlsSpec.Server tls = TlsSpec.server(c.tls(), engine, (key, message) -> problem(name, key, message));
            Access access = Access.of(c, listen, (key, message) -> problem(name, key, message));
            TlsSpec.Server listenTls = TlsSpec.listen(c.listenTls(), engine, listen, (key, message) -> problem(name, key,
                    message));
            if (!c.proxyProtocol().equals("none")) {
                problem(name, "proxy-protocol", "is an agent key: the agent writes the PROXY header to its upstream,"
                        + " and a server end sends the user's addresses to any agent that asks; set it on the agent");
            }
            return problems.size() > before ? null : new TunnelSpec.Server(name, listen, tunnel, session,
                    c.drainTimeout(), wire, tls, access, listenTls, c.readyRequiresAgent());
        }
        DialTarget downstream = required(name, "downstream", c.downstream(), DialTarget::parse,
                "an agent needs downstream (the server's tunnel address)");
        DialTarget upstream = required(name, "upstream", c.upstream(), DialTarget::parse,
                "an agent needs upstream (the service to reach)");
        ProxyUrl proxy = c.proxy().map(p -> parse(name, "proxy", p, ProxyUrl::parse)).orElse(null);
        requireProxy(name, "downstream", downstream, proxy);
        requireProxy(name, "upstream", upstream, proxy);
        positive(name, "connect-timeout", c.connectTimeout());
        positive(name, "reconnect-min", c.reconnectMin());
        positive(name, "drain-timeout", c.drainTimeout());
        if (c.reconnectMax().compareTo(c.reconnectMin()) < 0) {
            problem(name, "reconnect-max", c.reconnectMax() + " is below reconnect-min " + c.reconnectMin());
        }
        TlsSpec.Agent tls = TlsSpec.agent(c.tls(), engine, downstream == null ? null : downstream.endpoint(),
                (key, message) -> problem(name, key, message));
        TlsSpec.noListenTls(c.listenTls(), (key, message) -> problem(name, key, message));
        ProxyProtocol proxyProtocol = proxyProtocol(name, c.proxyProtocol(), wire);
        return problems.size() > before ? null : new TunnelSpec.Agent(name, downstream, upstream, proxy, session,
                c.connectTimeout(), c.reconnectMin(), c.reconnectMax(), c.drainTimeout(), wire, tls, proxyProtocol);
    }

    private TunnelSpec.Wire wire(String name, TunnelConfig c) {
        switch (c.protocol()) {
            case "native" -> {
                return TunnelSpec.Wire.NATIVE;
            }
            case "legacy" -> {
                if (c.token().filter(t -> !t.isEmpty()).isPresent()) {
                    problem(name, "token", "the legacy protocol has no authentication: remove the token, or use"
                            + " protocol=native on both ends");
                }
                if (c.tokenFile().filter(t -> !t.isEmpty()).isPresent()) {
                    problem(name, "token-file", "the legacy protocol has no authentication: remove the token"
                            + " file, or use protocol=native on both ends");
                }
                long cap = c.legacyMaxPayload().asLongValue();
                if (cap < 1 || cap > Integer.MAX_VALUE) {
                    problem(name, "legacy-max-payload", cap + " bytes is outside 1..2G");
                }
                return new TunnelSpec.Wire(true, (int) Math.max(1, Math.min(cap, Integer.MAX_VALUE)));
            }
            default -> {
                problem(name, "protocol", "'" + c.protocol() + "' is not a protocol; use native or legacy");
                return TunnelSpec.Wire.NATIVE;
            }
        }
    }

    /** The legacy format has no room for the user's addresses (PROTOCOL.md §5.2 has them in OPEN). */
    private ProxyProtocol proxyProtocol(String name, String value, TunnelSpec.Wire wire) {
        ProxyProtocol p = parse(name, "proxy-protocol", value, ProxyProtocol::parse);
        if (p != null && p != ProxyProtocol.NONE && wire.legacy()) {
            problem(name, "proxy-protocol", value + " needs protocol=native: the legacy wire format cannot carry the"
                    + " user's addresses to the agent; remove proxy-protocol, or use protocol=native on both ends");
        }
        return p;
    }

    private SessionConfig session(String name, String wireName, TunnelConfig c) {
        positive(name, "keep-alive-interval", c.keepAliveInterval());
        positive(name, "handshake-timeout", c.handshakeTimeout());
        positive(name, "write-timeout", c.writeTimeout());
        if (c.keepAliveTimeout().compareTo(c.keepAliveInterval()) <= 0) {
            problem(name, "keep-alive-timeout", c.keepAliveTimeout() + " must be longer than keep-alive-interval "
                    + c.keepAliveInterval());
        }
        atLeastOne(name, "max-streams", c.maxStreams());
        atLeastOne(name, "max-pending-opens", c.maxPendingOpens());
        atLeastOne(name, "max-pings-per-second", c.maxPingsPerSecond());
        atLeastOne(name, "max-resets-per-second", c.maxResetsPerSecond());
        atLeastOne(name, "max-control-frames-per-second", c.maxControlFramesPerSecond());
        long queued = c.maxQueuedBytes().asLongValue();
        if (queued < 1) {
            problem(name, "max-queued-bytes", queued + " bytes must be at least 1");
        }
        int streamWindow = window(name, "max-stream-window", c.maxStreamWindow().asLongValue());
        int sessionWindow = window(name, "session-window", c.sessionWindow().asLongValue());
        Credentials credentials = credentials(name, wireName, c);
        return new SessionConfig(wireName, credentials, c.maxStreams(), c.maxPendingOpens(), streamWindow, sessionWindow,
                c.keepAliveInterval(), c.keepAliveTimeout(), c.writeTimeout(), c.handshakeTimeout(), c.maxPingsPerSecond(),
                c.maxResetsPerSecond(), c.maxControlFramesPerSecond(), queued, false);
    }

    /** From {@code token} or {@code token-file}, never both; a weak token is used, with a warning. */
    private Credentials credentials(String name, String wireName, TunnelConfig c) {
        Optional<String> token = c.token().filter(t -> !t.isEmpty());
        Optional<String> file = c.tokenFile().filter(f -> !f.isEmpty());
        if (token.isPresent() && file.isPresent()) {
            problem(name, "token-file", "is set together with token: use one or the other");
            return Credentials.none();
        }
        if (file.isPresent()) {
            if (file.get().isBlank()) {
                problem(name, "token-file", "is blank: give the path of a file with one token per line");
                return Credentials.none();
            }
            try {
                return TokenFileCredentials.load(name, wireName, Path.of(file.get().strip()));
            } catch (IllegalArgumentException e) { // InvalidPathException included
                problem(name, "token-file", e.getMessage());
                return Credentials.none();
            }
        }
        if (token.isEmpty()) {
            return Credentials.none();
        }
        Tokens.weakness(token.get()).filter(why -> warn)
                .ifPresent(why -> LOG.warnf("itt.tunnels.%s.token is weak: %s", name, why));
        return Credentials.of(List.of(AuthKey.derive(token.get(), wireName)));
    }

    private void atLeastOne(String name, String key, int value) {
        if (value < 1) {
            problem(name, key, value + " must be at least 1");
        }
    }

    private int window(String name, String key, long bytes) {
        if (bytes < WireConstants.INITIAL_STREAM_WINDOW || bytes > WireConstants.MAX_WINDOW) {
            problem(name, key, bytes + " bytes is outside " + WireConstants.INITIAL_STREAM_WINDOW / 1024 + "K..2G");
            return WireConstants.INITIAL_STREAM_WINDOW;
        }
        return (int) bytes;
    }

    private void requireProxy(String name, String key, DialTarget target, ProxyUrl proxy) {
        if (target != null && target.viaProxy() && proxy == null) {
            problem(name, key, "'" + target + "' goes through a proxy, but itt.tunnels." + name + ".proxy is not set");
        }
    }

    private <T> T required(String name, String key, Optional<String> value, Function<String, T> parser, String why) {
        if (value.isEmpty() || value.get().isBlank()) {
            problem(name, key, "is missing: " + why);
            return null;
        }
        return parse(name, key, value.get(), parser);
    }

    private <T> T parse(String name, String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            problem(name, key, e.getMessage());
            return null;
        }
    }

    private void positive(String name, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            problem(name, key, d + " must be positive");
        }
    }

    /**
     * SmallRye never reports unknown environment variables; a typo would silently configure nothing. Only
     * {@code ITT_TUNNELS_*} is checked: other {@code ITT_*} variables belong to others (Kubernetes' service links
     * for a Service named itt, a wrapper script's own).
     */
    private void environment(Map<String, String> env) {
        for (String var : new TreeMap<>(env).keySet()) {
            TunnelVariable v = TunnelVariable.parse(var);
            if (v == null) {
                continue;
            }
            if (v.key() == null) {
                problems.add("environment variable " + var + " sets no ITT key: expected ITT_TUNNELS_<NAME>_<KEY>"
                        + " with KEY one of "
                        + String.join(", ", KEYS.stream().map(TunnelVariable::envForm).toList()));
            } else if (v.name().isEmpty()) {
                problems.add("environment variable " + var + " names no tunnel: expected ITT_TUNNELS_<NAME>_"
                        + TunnelVariable.envForm(v.key()));
            }
        }
    }

    private void problem(String tunnel, String key, String message) {
        problems.add(key == null ? "tunnel '" + tunnel + "' " + message
                : "itt.tunnels." + tunnel + "." + key + ": " + message);
    }
}
