package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of who may connect, through the real mapping and validator, and the address blocks they hold. */
class AccessTest {

    private static InetSocketAddress peer(String ip) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), 40000);
    }

    @Test
    void unsetKeysLetEveryoneInWithoutUserLimitsAndGiveUnixSocketsMode0660() throws Exception {
        Access a = TestConfigs.access(Map.of());
        assertFalse(a.allow().restricts());
        assertTrue(a.allow().allows(peer("203.0.113.9")));
        assertFalse(a.agentAllow().restricts());
        assertEquals(Access.UNLIMITED, a.maxConnections());
        assertEquals(Access.UNLIMITED, a.maxConnectionsPerSource());
        assertNull(a.idleTimeout());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), a.listenMode());
        assertNull(a.listenGroup());
        assertEquals(64, a.maxHandshakes(), "handshakes are capped even by default: nobody is refused for it");
        assertEquals(8, a.maxHandshakesPerSource());
        assertEquals(TestConfigs.access(), a, "what code-built server ends in tests get is what the defaults give");
    }

    @Test
    void everyKeyIsReadAndConverted() {
        Access a = TestConfigs.access(Map.of("listen", "unix:/run/itt/u.sock", "allow", "10.0.0.0/8, 192.0.2.7",
                "agent-allow", "fd00::/8", "max-connections", "100", "max-connections-per-source", "10",
                "idle-timeout", "5m", "max-handshakes", "16", "max-handshakes-per-source", "2", "listen-mode", "0600",
                "listen-group", "docker"));
        assertEquals("[10.0.0.0/8, 192.0.2.7]", a.allow().toString());
        assertEquals("[fd00::/8]", a.agentAllow().toString());
        assertEquals(100, a.maxConnections());
        assertEquals(10, a.maxConnectionsPerSource());
        assertEquals(Duration.ofMinutes(5), a.idleTimeout());
        assertEquals(16, a.maxHandshakes());
        assertEquals(2, a.maxHandshakesPerSource());
        assertEquals(PosixFilePermissions.fromString("rw-------"), a.listenMode());
        assertEquals("docker", a.listenGroup());
    }

    @Test
    void anAllowListFromAnEnvironmentVariableIsCommaSeparated() {
        List<TunnelSpec> specs = TestConfigs.specs(Map.of(), Map.of("ITT_TUNNELS_DOCKER_LISTEN", "127.0.0.1:0",
                "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:0", "ITT_TUNNELS_DOCKER_AGENT_ALLOW", "10.1.0.0/16,10.2.0.0/16"));
        assertEquals("[10.1.0.0/16, 10.2.0.0/16]", ((TunnelSpec.Server) specs.get(0)).access().agentAllow().toString());
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.0/8, 10.255.1.2, true", "10.0.0.0/8, 11.0.0.1, false", "192.0.2.7, 192.0.2.7, true",
            "192.0.2.7, 192.0.2.8, false", "0.0.0.0/0, 198.51.100.1, true", "10.0.0.0/8, ::ffff:10.0.0.1, true",
            "10.0.0.0/8, fd00::1, false", "fd00::/8, fd12:3456::1, true", "fd00::/8, fe80::1, false",
            "::1, ::1, true", "::/0, 10.0.0.1, false", "10.1.2.3/16, 10.1.200.1, true"})
    void blocksMatchTheirOwnFamily(String block, String address, boolean inside) throws Exception {
        assertEquals(inside, Cidr.parse(block).contains(InetAddress.getByName(address)));
    }

    @Test
    void aUnixSocketPeerIsNotTheAllowListsBusiness() {
        assertTrue(AllowList.of(List.of("10.0.0.0/8")).allows(UnixDomainSocketAddress.of("/run/x.sock")));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
            "allow; 10.0.0.0/33; '10.0.0.0/33' has prefix length '33', outside 0..32",
            "allow; fd00::/129; outside 0..128",
            "allow; gateway.example.com; host names are not allowed",
            "agent-allow; 10.0.0.0/x; has prefix length 'x'",
            "agent-allow; 10.0.0/8; is not an IPv4 or IPv6 address",
            "max-connections; 0; 0 must be at least 1",
            "max-connections-per-source; -2; -2 must be at least 1",
            "idle-timeout; 0s; must be positive",
            "max-handshakes; 0; 0 must be at least 1",
            "max-handshakes-per-source; -1; -1 must be at least 1",
            "listen-mode; 0999; is not an octal file mode",
            "listen-mode; rw-rw----; is not an octal file mode",
            "listen-group; docker; applies only to a unix: listen address"})
    void aBadValueIsReportedWithItsKey(String key, String value, String message) {
        Map<String, String> props = new HashMap<>(Map.of("itt.tunnels.db.listen", "127.0.0.1:0",
                "itt.tunnels.db.tunnel", "127.0.0.1:0"));
        props.put("itt.tunnels.db." + key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.specs(props, Map.of()));
        assertTrue(e.getMessage().contains("itt.tunnels.db." + key + ": ") && e.getMessage().contains(message),
                e.getMessage());
    }

    @Test
    void aPerSourceHandshakeCapAboveTheTotalIsNoError() {
        Access a = TestConfigs.access(Map.of("max-handshakes", "4"));
        assertEquals(4, a.maxHandshakes());
        assertTrue(a.maxHandshakesPerSource() > a.maxHandshakes(), "the default per-source cap is left as it is");
    }

    @Test
    void anAgentIgnoresTheServerKeysOfWhoMayConnect() {
        List<TunnelSpec> specs = TestConfigs.specs(Map.of("itt.tunnels.a.downstream", "127.0.0.1:7000",
                "itt.tunnels.a.upstream", "127.0.0.1:80", "itt.tunnels.a.max-connections", "0"), Map.of());
        assertTrue(specs.get(0) instanceof TunnelSpec.Agent);
    }
}
