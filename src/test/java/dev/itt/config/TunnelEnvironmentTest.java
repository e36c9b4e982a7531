package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.TestConfigs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment variables through the real SmallRye mapping, with {@link TunnelEnvironment} as the app has it. */
class TunnelEnvironmentTest {
    /** What Kubernetes injects into every pod of a namespace with a Service named itt (ports 7000 and 9000). */
    static final Map<String, String> SERVICE_LINKS = Map.of(
            "ITT_SERVICE_HOST", "10.0.0.1",
            "ITT_SERVICE_PORT", "7000",
            "ITT_SERVICE_PORT_TUNNEL", "7000",
            "ITT_PORT", "tcp://10.0.0.1:7000",
            "ITT_PORT_7000_TCP", "tcp://10.0.0.1:7000",
            "ITT_PORT_7000_TCP_ADDR", "10.0.0.1",
            "ITT_PORT_7000_TCP_PORT", "7000",
            "ITT_PORT_7000_TCP_PROTO", "tcp",
            "ITT_PORT_9000_TCP_ADDR", "10.0.0.1");

    private static Map<String, String> env(Map<String, String> base, String... pairs) {
        Map<String, String> env = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static TunnelSpec only(List<TunnelSpec> specs) {
        assertEquals(1, specs.size(), specs.toString());
        return specs.get(0);
    }

    @Test
    void aDashedNameFromVariablesAloneWithKubernetesServiceLinksBeside() {
        TunnelSpec.Server s = assertInstanceOf(TunnelSpec.Server.class, only(TestConfigs.specs(Map.of(), env(
                SERVICE_LINKS,
                "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:5432",
                "ITT_TUNNELS_MY_DB_TUNNEL", "0.0.0.0:7000",
                "ITT_TUNNELS_MY_DB_KEEP_ALIVE_INTERVAL", "7s",
                "ITT_TUNNELS_MY_DB_MAX_CONNECTIONS_PER_SOURCE", "3",
                "ITT_UNRELATED_WRAPPER_SETTING", "x"))));
        assertEquals("my-db", s.name());
        assertEquals(new Endpoint.Tcp("127.0.0.1", 5432), s.listen());
        assertEquals(Duration.ofSeconds(7), s.session().keepAliveInterval());
        assertEquals("my-db", s.session().tunnel(), "the wire name is the tunnel's name");
        assertEquals(3, TestConfigs.config(Map.of(), env(Map.of(), "ITT_TUNNELS_MY_DB_MAX_CONNECTIONS_PER_SOURCE",
                "3", "ITT_TUNNELS_MY_DB_LISTEN", "x:1"))
                .getConfigMapping(IttConfig.class).tunnels().get("my-db").maxConnectionsPerSource().getAsInt());
    }

    @Test
    void groupKeysOfADashedName() {
        TunnelConfig c = TestConfigs.config(Map.of(), env(Map.of(),
                "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:5432",
                "ITT_TUNNELS_MY_DB_TLS_CLIENT_CA", "/ca.pem",
                "ITT_TUNNELS_MY_DB_TLS_SERVER_NAME", "db.example",
                "ITT_TUNNELS_MY_DB_LISTEN_TLS_CERT", "/listen.pem"))
                .getConfigMapping(IttConfig.class).tunnels().get("my-db");
        assertEquals("/ca.pem", c.tls().clientCa().orElseThrow());
        assertEquals("db.example", c.tls().serverName().orElseThrow());
        assertEquals("/listen.pem", c.listenTls().cert().orElseThrow());
    }

    @Test
    void theQuotedFormNamesTheSameTunnelAndNoOther() {
        Map<String, TunnelConfig> tunnels = TestConfigs.config(Map.of(), env(Map.of(),
                "ITT_TUNNELS__MY_DB__LISTEN", "127.0.0.1:5432",
                "ITT_TUNNELS__MY_DB__TUNNEL", "0.0.0.0:7000"))
                .getConfigMapping(IttConfig.class).tunnels();
        assertEquals(List.of("my-db"), List.copyOf(tunnels.keySet()));
        assertEquals("0.0.0.0:7000", tunnels.get("my-db").tunnel().orElseThrow());
    }

    @Test
    void variablesSetTheKeysOfATunnelDefinedInPropertiesWhateverItsName() {
        Map<String, TunnelConfig> tunnels = TestConfigs.config(Map.of(
                "itt.tunnels.docker_agent.downstream", "server:7000",
                "itt.tunnels.docker_agent.upstream", "unix:/var/run/docker.sock",
                "itt.tunnels.\"my-db\".listen", "127.0.0.1:1",
                "itt.tunnels.\"my-db\".tunnel", "127.0.0.1:2"), env(Map.of(),
                "ITT_TUNNELS_DOCKER_AGENT_TOKEN", "t0ken-from-a-secret",
                "ITT_TUNNELS_DOCKER_AGENT_UPSTREAM", "unix:/run/docker.sock",
                "ITT_TUNNELS__MY_DB__LISTEN", "127.0.0.1:3"))
                .getConfigMapping(IttConfig.class).tunnels();
        assertEquals(List.of("docker_agent", "my-db"), tunnels.keySet().stream().sorted().toList());
        assertEquals("t0ken-from-a-secret", tunnels.get("docker_agent").token().orElseThrow());
        assertEquals("unix:/run/docker.sock", tunnels.get("docker_agent").upstream().orElseThrow(),
                "a variable overrides application.properties");
        assertEquals("127.0.0.1:3", tunnels.get("my-db").listen().orElseThrow(), "the quoted form overrides too");
    }

    @Test
    void aTypoUnderItsTunnelsIsStillAnErrorAndOtherIttVariablesAreNot() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.specs(Map.of(), env(SERVICE_LINKS,
                "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:5432",
                "ITT_TUNNELS_MY_DB_TUNNEL", "0.0.0.0:7000",
                "ITT_TUNNELS_MY_DB_LISTN", "127.0.0.1:5433",
                "ITT_TUNNELS__TOKEN", "x")));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("environment variable ITT_TUNNELS_MY_DB_LISTN sets no ITT key"),
                e.getMessage());
        assertTrue(e.problems().get(1).startsWith("environment variable ITT_TUNNELS__TOKEN names no tunnel"),
                e.getMessage());
    }
}
