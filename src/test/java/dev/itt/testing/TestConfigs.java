package dev.itt.testing;

import dev.itt.config.ConfigValidator;
import dev.itt.config.IttConfig;
import dev.itt.config.StandaloneConfig;
import dev.itt.config.TlsSpec;
import dev.itt.config.TunnelSpec;
import dev.itt.mux.AuthKey;
import dev.itt.mux.Credentials;
import dev.itt.mux.SessionConfig;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;

/**
 * Configurations for tests, made the way the application makes them: the real {@code @ConfigMapping} fed by
 * SmallRye, then {@link ConfigValidator}. A value a test does not set is the mapping's default, so no test repeats
 * a default as a number.
 */
public final class TestConfigs {
    /** The session of a minimal server tunnel, every limit and timer at the mapping's default. */
    private static final TunnelSpec.Server DEFAULT_SERVER = (TunnelSpec.Server) specs(Map.of(
            "itt.tunnels.defaults.listen", "127.0.0.1:0",
            "itt.tunnels.defaults.tunnel", "127.0.0.1:0"), Map.of()).get(0);
    private static final SessionConfig DEFAULTS = DEFAULT_SERVER.session();

    /** The TLS engine of a tunnel that does not set {@code tls.engine}: the mapping's default. */
    public static final TlsSpec.Engine TLS_ENGINE = ((TunnelSpec.Agent) specs(Map.of(
            "itt.tunnels.defaults.downstream", "127.0.0.1:1",
            "itt.tunnels.defaults.upstream", "127.0.0.1:2",
            "itt.tunnels.defaults.tls.enabled", "true"), Map.of()).get(0)).tls().engine();

    /** A minimal agent tunnel, every key it does not set at the mapping's default. */
    private static final TunnelSpec.Agent DEFAULT_AGENT = (TunnelSpec.Agent) specs(Map.of(
            "itt.tunnels.defaults.downstream", "127.0.0.1:1",
            "itt.tunnels.defaults.upstream", "127.0.0.1:2"), Map.of()).get(0);

    private TestConfigs() {}

    /** An agent's first reconnect delay when {@code reconnect-min} is not set. */
    public static java.time.Duration reconnectMin() {
        return DEFAULT_AGENT.reconnectMin();
    }

    /** An agent's longest reconnect delay when {@code reconnect-max} is not set. */
    public static java.time.Duration reconnectMax() {
        return DEFAULT_AGENT.reconnectMax();
    }

    /**
     * The configuration Quarkus would build from these properties and environment variables, with the ITT mapping
     * and the converters Quarkus registers for durations ({@code 10s}) and sizes ({@code 16M}).
     */
    public static SmallRyeConfig config(Map<String, String> properties, Map<String, String> env) {
        return StandaloneConfig.of(properties, env);
    }

    /** The validated tunnels, as the application gets them at start-up; throws the validator's ConfigException. */
    public static List<TunnelSpec> specs(Map<String, String> properties, Map<String, String> env) {
        return ConfigValidator.validate(config(properties, env).getConfigMapping(IttConfig.class).tunnels(), env);
    }

    /**
     * Session settings with every limit and timer at the mapping's default. The name and the token are taken as given, unchecked, so that tests can also pass names the
     * configuration would refuse.
     *
     * @param token the shared secret, or null for none
     */
    public static SessionConfig session(String tunnel, String token) {
        return named(DEFAULTS, tunnel, token);
    }

    /**
     * Session settings with the given tunnel keys ({@code "session-window", "8M"}) set and the rest at the
     * mapping's default, converted and checked as the application does it.
     */
    public static SessionConfig session(String tunnel, String token, Map<String, String> keys) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "itt.tunnels.defaults.listen", "127.0.0.1:0",
                "itt.tunnels.defaults.tunnel", "127.0.0.1:0"));
        keys.forEach((k, v) -> props.put("itt.tunnels.defaults." + k, v));
        return named(((TunnelSpec.Server) specs(props, Map.of()).get(0)).session(), tunnel, token);
    }

    /**
     * Who may connect to a server tunnel with the given keys ({@code "allow", "10.0.0.0/8"}) set on top of a TCP
     * {@code listen}, or of {@code listen} itself when the keys set it; converted and checked as the application
     * does it.
     */
    public static dev.itt.config.Access access(Map<String, String> keys) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "itt.tunnels.defaults.listen", "127.0.0.1:0",
                "itt.tunnels.defaults.tunnel", "127.0.0.1:0"));
        keys.forEach((k, v) -> props.put("itt.tunnels.defaults." + k, v));
        return ((TunnelSpec.Server) specs(props, Map.of()).get(0)).access();
    }

    /** Who may connect to a server tunnel that sets none of those keys: every limit at the mapping's default. */
    public static dev.itt.config.Access access() {
        return DEFAULT_SERVER.access();
    }

    /** Whether a server end's readiness waits for an agent when {@code ready-requires-agent} is not set. */
    public static boolean readyRequiresAgent() {
        return DEFAULT_SERVER.readyRequiresAgent();
    }

    /** The wire of a tunnel with {@code protocol} set and every other key at the mapping's default. */
    public static TunnelSpec.Wire wire(String protocol) {
        return specs(Map.of("itt.tunnels.defaults.listen", "127.0.0.1:0", "itt.tunnels.defaults.tunnel", "127.0.0.1:0",
                "itt.tunnels.defaults.protocol", protocol), Map.of()).get(0).wire();
    }

    /** Session settings at the defaults for a server end that accepts any of {@code tokens}. */
    public static SessionConfig accepting(String tunnel, List<String> tokens) {
        return named(DEFAULTS, tunnel,
                Credentials.of(tokens.stream().map(t -> AuthKey.derive(t, tunnel)).toList()));
    }

    private static SessionConfig named(SessionConfig d, String tunnel, String token) {
        return named(d, tunnel, token == null || token.isEmpty() ? Credentials.none()
                : Credentials.of(List.of(AuthKey.derive(token, tunnel))));
    }

    private static SessionConfig named(SessionConfig d, String tunnel, Credentials credentials) {
        return new SessionConfig(tunnel, credentials, d.maxStreams(), d.maxPendingOpens(), d.maxStreamWindow(),
                d.sessionWindow(), d.keepAliveInterval(), d.keepAliveTimeout(), d.writeTimeout(), d.handshakeTimeout(),
                d.maxPingsPerSecond(), d.maxResetsPerSecond(), d.maxControlFramesPerSecond(), d.maxQueuedBytes(),
                d.asksAddresses());
    }
}
