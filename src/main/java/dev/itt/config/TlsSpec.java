package dev.itt.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Validated TLS settings of one tunnel end. Paths are checked to name readable files here; whether they parse as
 * PEM is checked when the end starts ({@code dev.itt.vertx.TlsOptions}), by the library that loads them.
 */
public sealed interface TlsSpec {

    /** The TLS implementation ({@code tls.engine}); the end checks at start that it can be loaded. */
    enum Engine {
        /** BoringSSL through Netty's netty-tcnative. */
        OPENSSL,
        /** The JVM's own SSLEngine. */
        JDK;

        /** {@code tls.engine}'s value, or null (and a problem) when it names no engine. Checked with TLS off too. */
        static Engine of(TlsConfig c, BiConsumer<String, String> problem) {
            return switch (c.engine()) {
                case "openssl" -> OPENSSL;
                case "jdk" -> JDK;
                default -> {
                    problem.accept("tls.engine", "'" + c.engine() + "' is not a TLS engine; use openssl or jdk");
                    yield null;
                }
            };
        }
    }

    /** The TLS implementation this end's TLS connections use. */
    Engine engine();

    /**
     * Server end: TLS on the {@code tunnel} port, or on a TCP {@code listen} ({@code listen-tls.*}).
     *
     * @param clientCa the CAs peer certificates must chain to, or null to ask peers for no certificate
     */
    record Server(Path cert, Path key, Path clientCa, Engine engine) implements TlsSpec {}

    /**
     * Agent: TLS to {@code downstream}, hostname verification always on.
     *
     * @param trust the CAs trusted for the server's certificate, or null for the JVM's trust store
     * @param cert the agent's client certificate, or null (then {@code key} is null too)
     * @param serverName the name verified in the server's certificate and sent as SNI
     */
    record Agent(Path trust, Path cert, Path key, String serverName, Engine engine) implements TlsSpec {}

    /**
     * The server end's TLS, or null when {@code tls.cert} and {@code tls.key} are both unset.
     *
     * @param engine {@link Engine#of} the same keys
     * @param problem receives (key, message) for each problem, the key as {@code tls.cert}
     */
    static Server server(TlsConfig c, Engine engine, BiConsumer<String, String> problem) {
        agentOnly(c.enabled().isPresent(), "tls.enabled", problem);
        agentOnly(c.trust().isPresent(), "tls.trust", problem);
        agentOnly(c.serverName().isPresent(), "tls.server-name", problem);
        if (c.cert().isEmpty() && c.key().isEmpty()) {
            if (c.clientCa().isPresent()) {
                problem.accept("tls.client-ca", "requires TLS on the tunnel port: set tls.cert and tls.key too");
            }
            return null;
        }
        Path[] pair = pair("tls", c.cert(), c.key(), problem);
        Path clientCa = file(c.clientCa(), "tls.client-ca", problem);
        return pair == null ? null : new Server(pair[0], pair[1], clientCa, engine);
    }

    /**
     * The server end's TLS for users at {@code listen}, or null when {@code listen-tls.cert} and
     * {@code listen-tls.key} are both unset.
     *
     * @param engine {@code tls.engine}, which serves the listen side too
     * @param listen the parsed listen address (null if it did not parse): a Unix socket cannot have TLS
     */
    static Server listen(ListenTlsConfig c, Engine engine, Endpoint listen, BiConsumer<String, String> problem) {
        if (c.cert().isEmpty() && c.key().isEmpty()) {
            if (c.clientCa().isPresent()) {
                problem.accept("listen-tls.client-ca", "requires TLS on the listen side: set listen-tls.cert and"
                        + " listen-tls.key too");
            }
            return null;
        }
        if (listen instanceof Endpoint.Unix) {
            problem.accept("listen-tls.cert", "is set, but listen '" + listen + "' is a Unix socket: listen-tls is"
                    + " for a TCP listen only (who may connect to a Unix socket is set by listen-mode and"
                    + " listen-group)");
            return null;
        }
        Path[] pair = pair("listen-tls", c.cert(), c.key(), problem);
        Path clientCa = file(c.clientCa(), "listen-tls.client-ca", problem);
        return pair == null ? null : new Server(pair[0], pair[1], clientCa, engine);
    }

    /** An agent has no listen side: each {@code listen-tls.*} key set on one is a problem. */
    static void noListenTls(ListenTlsConfig c, BiConsumer<String, String> problem) {
        serverOnly(c.cert().isPresent(), "listen-tls.cert", problem);
        serverOnly(c.key().isPresent(), "listen-tls.key", problem);
        serverOnly(c.clientCa().isPresent(), "listen-tls.client-ca", problem);
    }

    private static void serverOnly(boolean set, String key, BiConsumer<String, String> problem) {
        if (set) {
            problem.accept(key, "is a server-end key (TLS for the users at listen); an agent has no listen side");
        }
    }

    /**
     * The agent's TLS, or null when it is off.
     *
     * @param engine {@link Engine#of} the same keys
     * @param downstream the parsed downstream address (null if it did not parse), whose host is the default
     *     server name
     */
    static Agent agent(TlsConfig c, Engine engine, Endpoint downstream, BiConsumer<String, String> problem) {
        if (c.clientCa().isPresent()) {
            problem.accept("tls.client-ca", "is a server-end key; an agent names the CAs it trusts with tls.trust");
        }
        boolean implied = c.trust().isPresent() || c.cert().isPresent() || c.key().isPresent()
                || c.serverName().isPresent();
        if (!c.enabled().orElse(implied)) {
            if (implied) {
                problem.accept("tls.enabled", "is false, but other tls.* keys are set: remove them, or remove"
                        + " tls.enabled=false");
            }
            return null;
        }
        Path trust = file(c.trust(), "tls.trust", problem);
        Path[] pair = c.cert().isEmpty() && c.key().isEmpty() ? new Path[2] : pair("tls", c.cert(), c.key(), problem);
        String serverName = c.serverName().map(String::trim).orElse(null);
        if (serverName != null && serverName.isEmpty()) {
            problem.accept("tls.server-name", "is empty: give the name the server end's certificate carries, or"
                    + " remove the key to use the downstream host");
            return null;
        }
        if (serverName == null && downstream instanceof Endpoint.Tcp tcp) {
            serverName = tcp.host();
        }
        if (serverName == null && downstream instanceof Endpoint.Unix) {
            problem.accept("tls.server-name", "is missing: a unix: downstream has no host name to verify the"
                    + " server end's certificate against");
        }
        return pair == null || serverName == null ? null : new Agent(trust, pair[0], pair[1], serverName, engine);
    }

    private static void agentOnly(boolean set, String key, BiConsumer<String, String> problem) {
        if (set) {
            problem.accept(key, "is an agent key; a server end turns TLS on with tls.cert and tls.key");
        }
    }

    /** PREFIX.cert and PREFIX.key, which come together; null after a problem. */
    private static Path[] pair(String prefix, Optional<String> certValue, Optional<String> keyValue,
            BiConsumer<String, String> problem) {
        if (certValue.isEmpty()) {
            problem.accept(prefix + ".cert", "is missing: " + prefix + ".key is set, and a key needs its certificate");
            return null;
        }
        if (keyValue.isEmpty()) {
            problem.accept(prefix + ".key", "is missing: " + prefix + ".cert is set, and a certificate needs its"
                    + " private key");
            return null;
        }
        Path cert = file(certValue, prefix + ".cert", problem);
        Path key = file(keyValue, prefix + ".key", problem);
        return cert == null || key == null ? null : new Path[] {cert, key};
    }

    /** The file a key names, if it is a readable regular file; null (and a problem) otherwise. */
    private static Path file(Optional<String> value, String key, BiConsumer<String, String> problem) {
        if (value.isEmpty()) {
            return null;
        }
        String v = value.get().trim();
        if (v.isEmpty()) {
            problem.accept(key, "is empty: give the path of a PEM file");
            return null;
        }
        Path path = Path.of(v);
        if (!Files.exists(path)) {
            problem.accept(key, "'" + v + "' does not exist");
        } else if (!Files.isRegularFile(path)) {
            problem.accept(key, "'" + v + "' is not a file");
        } else if (!Files.isReadable(path)) {
            problem.accept(key, "'" + v + "' cannot be read by this process");
        } else {
            return path;
        }
        return null;
    }
}
