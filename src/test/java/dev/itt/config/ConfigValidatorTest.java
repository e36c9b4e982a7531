package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.AuthKey;
import dev.itt.mux.SessionConfig;
import dev.itt.testing.TestConfigs;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.WithDefault;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real SmallRye mapping, fed from properties and from environment variables, then validated. */
class ConfigValidatorTest {

    private static List<TunnelSpec> validate(Map<String, String> props, Map<String, String> env) {
        return TestConfigs.specs(props, env);
    }

    private static ConfigException invalid(Map<String, String> props, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> validate(props, env));
    }

    @Test
    void listenAndTunnelMakeAServerEnd() {
        List<TunnelSpec> specs = validate(Map.of(
                "itt.tunnels.docker.listen", "unix:/var/run/itt/docker.sock",
                "itt.tunnels.docker.tunnel", "0.0.0.0:7000",
                "itt.tunnels.docker.token", "s3cret"), Map.of());
        TunnelSpec.Server s = assertInstanceOf(TunnelSpec.Server.class, specs.get(0));
        assertEquals(new Endpoint.Unix("/var/run/itt/docker.sock"), s.listen());
        assertEquals(new Endpoint.Tcp("0.0.0.0", 7000), s.tunnel());
        assertEquals("docker", s.session().tunnel());
        assertEquals(List.of(AuthKey.derive("s3cret", "docker")), s.session().credentials().keys());
        assertTrue(!s.session().toString().contains("s3cret"), "the token is masked");
    }

    @Test
    void downstreamUpstreamAndProxyMakeAnAgent() {
        List<TunnelSpec> specs = validate(Map.of(
                "itt.tunnels.agent.downstream", "proxy:itt-server:7000",
                "itt.tunnels.agent.upstream", "unix:/var/run/docker.sock",
                "itt.tunnels.agent.proxy", "socks5h://u:p@proxy.corp:1080",
                "itt.tunnels.agent.name", "docker",
                "itt.tunnels.agent.session-window", "32M"), Map.of());
        TunnelSpec.Agent a = assertInstanceOf(TunnelSpec.Agent.class, specs.get(0));
        assertTrue(a.downstream().viaProxy());
        assertEquals(new Endpoint.Tcp("itt-server", 7000), a.downstream().endpoint());
        assertEquals(ProxyUrl.Scheme.SOCKS5H, a.proxy().scheme());
        assertEquals("docker", a.session().tunnel());
        assertEquals(32 * 1024 * 1024, a.session().sessionWindow());
    }

    @Test
    void environmentVariablesAloneDefineATunnel() {
        List<TunnelSpec> specs = validate(Map.of(), Map.of(
                "ITT_TUNNELS_DOCKER_LISTEN", "127.0.0.1:8000",
                "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:7000",
                "ITT_TUNNELS_DOCKER_KEEP_ALIVE_INTERVAL", "5s"));
        TunnelSpec.Server s = assertInstanceOf(TunnelSpec.Server.class, specs.get(0));
        assertEquals("docker", s.name());
        assertEquals(5, s.session().keepAliveInterval().toSeconds());
    }

    private static TunnelSpec named(List<TunnelSpec> specs, String name) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theLegacyPayloadCapReachesEachTunnelsWireSettings() {
        List<TunnelSpec> specs = validate(Map.of(
                "itt.tunnels.db.listen", "127.0.0.1:5432",
                "itt.tunnels.db.tunnel", "127.0.0.1:7000",
                "itt.tunnels.db.protocol", "legacy",
                "itt.tunnels.db.legacy-max-payload", "64K",
                "itt.tunnels.plain.downstream", "server:7000",
                "itt.tunnels.plain.upstream", "db:5432",
                "itt.tunnels.plain.protocol", "legacy"), Map.of(
                "ITT_TUNNELS_ENVAGENT_DOWNSTREAM", "server:7001",
                "ITT_TUNNELS_ENVAGENT_UPSTREAM", "db:5432",
                "ITT_TUNNELS_ENVAGENT_PROTOCOL", "legacy",
                "ITT_TUNNELS_ENVAGENT_LEGACY_MAX_PAYLOAD", "512"));
        assertEquals(new TunnelSpec.Wire(true, 64 * 1024), named(specs, "db").wire());
        assertEquals(new TunnelSpec.Wire(true, 1024 * 1024), named(specs, "plain").wire(), "the default is 1M");
        assertEquals(new TunnelSpec.Wire(true, 512), named(specs, "envagent").wire());
    }

    @Test
    void aLegacyPayloadCapOutsideItsRangeIsNamed() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.a.listen", "127.0.0.1:1",
                "itt.tunnels.a.tunnel", "127.0.0.1:2",
                "itt.tunnels.a.protocol", "legacy",
                "itt.tunnels.a.legacy-max-payload", "0",
                "itt.tunnels.b.downstream", "server:7000",
                "itt.tunnels.b.upstream", "db:5432",
                "itt.tunnels.b.protocol", "legacy",
                "itt.tunnels.b.legacy-max-payload", "3G"), Map.of());
        assertEquals(List.of("itt.tunnels.a.legacy-max-payload: 0 bytes is outside 1..2G",
                "itt.tunnels.b.legacy-max-payload: 3221225472 bytes is outside 1..2G"), e.problems());
    }

    @Test
    void proxyProtocolReachesTheAgentAndIsNoneUnlessSet() {
        List<TunnelSpec> specs = validate(Map.of(
                "itt.tunnels.a.downstream", "server:7000",
                "itt.tunnels.a.upstream", "web:80",
                "itt.tunnels.a.proxy-protocol", "v1",
                "itt.tunnels.b.downstream", "server:7000",
                "itt.tunnels.b.upstream", "web:80",
                "itt.tunnels.b.proxy-protocol", "v2",
                "itt.tunnels.c.downstream", "server:7000",
                "itt.tunnels.c.upstream", "web:80"), Map.of());
        assertEquals(List.of(ProxyProtocol.V1, ProxyProtocol.V2, ProxyProtocol.NONE),
                specs.stream().map(s -> ((TunnelSpec.Agent) s).proxyProtocol()).toList());
    }

    @Test
    void proxyProtocolWithTheLegacyFormatOnAServerEndOrMisspeltIsNamed() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.old.downstream", "server:7000",
                "itt.tunnels.old.upstream", "web:80",
                "itt.tunnels.old.protocol", "legacy",
                "itt.tunnels.old.proxy-protocol", "v2",
                "itt.tunnels.srv.listen", "127.0.0.1:1",
                "itt.tunnels.srv.tunnel", "127.0.0.1:2",
                "itt.tunnels.srv.proxy-protocol", "v1",
                "itt.tunnels.typo.downstream", "server:7000",
                "itt.tunnels.typo.upstream", "web:80",
                "itt.tunnels.typo.proxy-protocol", "V3"), Map.of());
        assertEquals(List.of("itt.tunnels.old.proxy-protocol: v2 needs protocol=native: the legacy wire format cannot"
                        + " carry the user's addresses to the agent; remove proxy-protocol, or use protocol=native on"
                        + " both ends",
                "itt.tunnels.srv.proxy-protocol: is an agent key: the agent writes the PROXY header to its upstream,"
                        + " and a server end sends the user's addresses to any agent that asks; set it on the agent",
                "itt.tunnels.typo.proxy-protocol: 'V3' is not a PROXY protocol version; use none, v1 or v2"),
                e.problems());
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTunnelAndKey() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.a.listen", "127.0.0.1:8000",
                "itt.tunnels.a.upstream", "127.0.0.1:80",
                "itt.tunnels.b.listen", "localhost",
                "itt.tunnels.b.tunnel", "127.0.0.1:99999",
                "itt.tunnels.c.downstream", "proxy:server:7000",
                "itt.tunnels.c.upstream", "127.0.0.1:80",
                "itt.tunnels.d.downstream", "server:7000",
                "itt.tunnels.d.upstream", "127.0.0.1:80",
                "itt.tunnels.d.proxy", "ftp://proxy:21"), Map.of());
        List<String> p = e.problems();
        assertEquals(5, p.size(), String.join("\n", p));
        assertEquals("tunnel 'a' mixes server keys (listen, tunnel) with agent keys (downstream, upstream, proxy);"
                + " a tunnel is one end or the other: split it into two tunnels", p.get(0));
        assertTrue(p.get(1).startsWith("itt.tunnels.b.listen: 'localhost' has no port"), p.get(1));
        assertTrue(p.get(2).startsWith("itt.tunnels.b.tunnel: '127.0.0.1:99999' has port 99999"), p.get(2));
        assertTrue(p.get(3).startsWith("itt.tunnels.c.downstream: 'proxy:server:7000' goes through a proxy"), p.get(3));
        assertTrue(p.get(4).startsWith("itt.tunnels.d.proxy: 'ftp://proxy:21' has scheme 'ftp'"), p.get(4));
        assertTrue(e.getMessage().contains("5 problems"));
    }

    @Test
    void aTunnelThatIsNeitherEndSaysWhatItLacks() {
        ConfigException e = invalid(Map.of("itt.tunnels.x.token", "t", "itt.tunnels.y.listen", "127.0.0.1:1"), Map.of());
        assertEquals(List.of(
                "tunnel 'x' is neither a server end (set listen and tunnel) nor an agent (set downstream and upstream)",
                "itt.tunnels.y.tunnel: is missing: a server end needs tunnel"), e.problems());
    }

    @Test
    void badTimingsAndLimitsAreNamed() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.s.listen", "127.0.0.1:1",
                "itt.tunnels.s.tunnel", "127.0.0.1:2",
                "itt.tunnels.s.keep-alive-timeout", "5s",
                "itt.tunnels.s.keep-alive-interval", "10s",
                "itt.tunnels.s.max-stream-window", "1K",
                "itt.tunnels.s.protocol", "carrier-pigeon"), Map.of());
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("itt.tunnels.s.keep-alive-timeout: PT5S must be longer than keep-alive-interval"), all);
        assertTrue(all.contains("itt.tunnels.s.max-stream-window: 1024 bytes is outside"), all);
        assertTrue(all.contains("itt.tunnels.s.protocol: 'carrier-pigeon'"), all);
    }

    @Test
    void anEnvironmentVariableThatConfiguresNothingIsAnError() {
        ConfigException e = invalid(Map.of(), Map.of(
                "ITT_TUNNELS_DOCKER_LISTEN", "127.0.0.1:8000",
                "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:7000",
                "ITT_TUNNELS_DOCKER_LISTN", "127.0.0.1:8001"));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("environment variable ITT_TUNNELS_DOCKER_LISTN sets no ITT key"));
    }

    @Test
    void noTunnelsIsValidAndEmpty() {
        assertTrue(validate(Map.of(), Map.of("HOME", "/root")).isEmpty());
    }

    @Test
    void aProxyPasswordNeverAppearsInAnError() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.a.downstream", "s:1",
                "itt.tunnels.a.upstream", "u:2",
                "itt.tunnels.a.proxy", "socks6://alice:hunter2@proxy:1080"), Map.of());
        assertTrue(e.getMessage().contains("socks6://alice:****@proxy:1080"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void theQuotedVariableFormSetsAKeyOfADashedTunnelAndMakesNoOther() {
        List<TunnelSpec> specs = validate(Map.of("itt.tunnels.\"my-db\".listen", "127.0.0.1:1",
                "itt.tunnels.\"my-db\".tunnel", "127.0.0.1:2"), Map.of("ITT_TUNNELS__MY_DB__DRAIN_TIMEOUT", "3s"));
        assertEquals(1, specs.size(), specs.toString());
        assertEquals(3, assertInstanceOf(TunnelSpec.Server.class, named(specs, "my-db")).drainTimeout().toSeconds());
    }

    @Test
    void proxyPrefixOnAListenAddressIsExplained() {
        ConfigException e = invalid(Map.of("itt.tunnels.s.listen", "proxy:127.0.0.1:1",
                "itt.tunnels.s.tunnel", "127.0.0.1:2"), Map.of());
        assertTrue(e.problems().get(0).contains("proxy: applies only to dial targets"), e.getMessage());
    }

    @Test
    void theKnownKeysAreTheMappingsMethodsInKebabCase() {
        // a group's keys (tls) are its methods under the group's name: tls.server-name
        List<String> methods = Arrays.stream(TunnelConfig.class.getMethods())
                .flatMap(m -> m.getReturnType().isInterface() && m.getReturnType().getPackage() == TunnelConfig.class
                        .getPackage() ? Arrays.stream(m.getReturnType().getMethods()).map(g -> kebab(m) + "." + kebab(g))
                                : java.util.stream.Stream.of(kebab(m)))
                .sorted().toList();
        assertEquals(methods, ConfigValidator.KEYS);
        assertTrue(ConfigValidator.KEYS.contains("max-control-frames-per-second"), ConfigValidator.KEYS.toString());
    }

    private static String kebab(Method m) {
        return m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    @Test
    void everySessionValueLeftUnsetIsTheMappingsDefault() throws Exception {
        SessionConfig session = ((TunnelSpec.Server) validate(Map.of("itt.tunnels.s.listen", "127.0.0.1:1",
                "itt.tunnels.s.tunnel", "127.0.0.1:2"), Map.of()).get(0)).session();
        for (RecordComponent c : SessionConfig.class.getRecordComponents()) {
            if (c.getName().equals("tunnel") || c.getName().equals("credentials")
                    || c.getName().equals("asksAddresses")) { // the agent end sets it from proxy-protocol
                continue;
            }
            Method key = TunnelConfig.class.getMethod(c.getName()); // each limit has a key of the same name
            String text = key.getAnnotation(WithDefault.class).value();
            Object expected = switch (key.getReturnType().getSimpleName()) {
                case "Duration" -> new DurationConverter().convert(text);
                case "MemorySize" -> new MemorySizeConverter().convert(text).asLongValue();
                default -> Long.parseLong(text);
            };
            Object actual = c.getAccessor().invoke(session);
            assertEquals(expected, actual instanceof Integer i ? Long.valueOf(i) : actual, c.getName());
        }
        assertEquals(session, TestConfigs.session("s", null), "TestConfigs gives the same defaults");
    }

    @Test
    void theFloodLimitsAreKeysThatReachTheSession() {
        List<TunnelSpec> specs = validate(Map.of(
                "itt.tunnels.s.listen", "127.0.0.1:1",
                "itt.tunnels.s.tunnel", "127.0.0.1:2",
                "itt.tunnels.s.max-pings-per-second", "7",
                "itt.tunnels.s.max-resets-per-second", "8",
                "itt.tunnels.s.max-queued-bytes", "2M"), Map.of(
                "ITT_TUNNELS_S_MAX_CONTROL_FRAMES_PER_SECOND", "9"));
        SessionConfig session = ((TunnelSpec.Server) specs.get(0)).session();
        assertEquals(7, session.maxPingsPerSecond());
        assertEquals(8, session.maxResetsPerSecond());
        assertEquals(9, session.maxControlFramesPerSecond());
        assertEquals(2L * 1024 * 1024, session.maxQueuedBytes());
    }

    @Test
    void floodLimitsBelowOneAreNamed() {
        ConfigException e = invalid(Map.of(
                "itt.tunnels.a.downstream", "server:7000",
                "itt.tunnels.a.upstream", "db:5432",
                "itt.tunnels.a.max-pings-per-second", "0",
                "itt.tunnels.a.max-resets-per-second", "-1",
                "itt.tunnels.a.max-control-frames-per-second", "0",
                "itt.tunnels.a.max-queued-bytes", "0"), Map.of());
        assertEquals(List.of(
                "itt.tunnels.a.max-pings-per-second: 0 must be at least 1",
                "itt.tunnels.a.max-resets-per-second: -1 must be at least 1",
                "itt.tunnels.a.max-control-frames-per-second: 0 must be at least 1",
                "itt.tunnels.a.max-queued-bytes: 0 bytes must be at least 1"), e.problems());
    }

    @Test
    void anAgentWithoutItsDialTargetsSaysWhatEachIsFor() {
        ConfigException e = invalid(Map.of("itt.tunnels.a.proxy", "socks5://proxy:1080"), Map.of());
        assertEquals(List.of(
                "itt.tunnels.a.downstream: is missing: an agent needs downstream (the server's tunnel address)",
                "itt.tunnels.a.upstream: is missing: an agent needs upstream (the service to reach)"), e.problems());
    }
}
