package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls.* keys through the real mapping and validator: which end takes which key, pairs, and files. */
class TlsSpecTest {
    @TempDir
    Path dir;
    private String pem;

    @BeforeEach
    void aFile() throws IOException {
        // existence and readability are checked here; whether the content parses is checked at start (TlsEndsTest)
        pem = Files.writeString(dir.resolve("some.pem"), "placeholder\n").toString();
    }

    private static Map<String, String> server(String... keys) {
        Map<String, String> p = new HashMap<>(Map.of("itt.tunnels.s.listen", ":1", "itt.tunnels.s.tunnel", ":2"));
        for (int i = 0; i < keys.length; i += 2) {
            p.put("itt.tunnels.s." + keys[i], keys[i + 1]);
        }
        return p;
    }

    private static Map<String, String> agent(String downstream, String... keys) {
        Map<String, String> p = new HashMap<>(Map.of("itt.tunnels.a.downstream", downstream,
                "itt.tunnels.a.upstream", "db:5432"));
        for (int i = 0; i < keys.length; i += 2) {
            p.put("itt.tunnels.a." + keys[i], keys[i + 1]);
        }
        return p;
    }

    private static List<String> problems(Map<String, String> props) {
        return assertThrows(ConfigException.class, () -> TestConfigs.specs(props, Map.of())).problems();
    }

    @Test
    void withoutTlsKeysBothEndsArePlaintext() {
        assertNull(((TunnelSpec.Server) TestConfigs.specs(server(), Map.of()).get(0)).tls());
        assertNull(((TunnelSpec.Agent) TestConfigs.specs(agent("s:7000"), Map.of()).get(0)).tls());
    }

    @Test
    void aServerCertAndKeyTurnTlsOnAndAClientCaAsksForAgentCertificates() {
        TunnelSpec.Server s = assertInstanceOf(TunnelSpec.Server.class, TestConfigs.specs(server("tls.cert", pem,
                "tls.key", pem, "tls.client-ca", pem), Map.of()).get(0));
        assertEquals(new TlsSpec.Server(Path.of(pem), Path.of(pem), Path.of(pem), TestConfigs.TLS_ENGINE), s.tls());
    }

    @Test
    void anyAgentTlsKeyImpliesTlsAndTheServerNameDefaultsToTheDownstreamHost() {
        TunnelSpec.Agent a = (TunnelSpec.Agent) TestConfigs.specs(agent("proxy:itt.example.com:7000", "proxy",
                "socks5h://p:1080", "tls.trust", pem), Map.of()).get(0);
        assertEquals(new TlsSpec.Agent(Path.of(pem), null, null, "itt.example.com", TestConfigs.TLS_ENGINE), a.tls());
        TunnelSpec.Agent enabled = (TunnelSpec.Agent) TestConfigs.specs(agent("10.0.0.5:7000", "tls.enabled", "true",
                "tls.server-name", "itt.example.com"), Map.of()).get(0);
        assertEquals(new TlsSpec.Agent(null, null, null, "itt.example.com", TestConfigs.TLS_ENGINE), enabled.tls(),
                "no trust file: the JVM's trust store; the given server name wins");
        assertNull(((TunnelSpec.Agent) TestConfigs.specs(agent("s:7000", "tls.enabled", "false"), Map.of()).get(0))
                .tls());
    }

    @Test
    void tlsEngineIsOpensslOrJdkAndAnythingElseIsAnErrorNamingTunnelAndKey() {
        TunnelSpec.Agent jdk = (TunnelSpec.Agent) TestConfigs.specs(agent("s:7000", "tls.enabled", "true",
                "tls.engine", "jdk"), Map.of()).get(0);
        assertEquals(TlsSpec.Engine.JDK, jdk.tls().engine());
        TunnelSpec.Server openssl = (TunnelSpec.Server) TestConfigs.specs(server("tls.cert", pem, "tls.key", pem,
                "tls.engine", "openssl"), Map.of()).get(0);
        assertEquals(TlsSpec.Engine.OPENSSL, openssl.tls().engine());
        assertEquals(List.of("itt.tunnels.a.tls.engine: 'BoringSSL' is not a TLS engine; use openssl or jdk"),
                problems(agent("s:7000", "tls.engine", "BoringSSL")), "checked with TLS off too");
    }

    @Test
    void aCertificateWithoutItsKeyAndAKeyWithoutItsCertificateAreErrorsNamingTunnelAndKey() {
        assertEquals(List.of("itt.tunnels.s.tls.key: is missing: tls.cert is set, and a certificate needs its private"
                + " key"), problems(server("tls.cert", pem)));
        assertEquals(List.of("itt.tunnels.a.tls.cert: is missing: tls.key is set, and a key needs its certificate"),
                problems(agent("s:7000", "tls.key", pem)));
    }

    @Test
    void aFileThatDoesNotExistIsAnErrorQuotingThePath() {
        String missing = dir.resolve("nope.pem").toString();
        assertEquals(List.of("itt.tunnels.s.tls.client-ca: '" + missing + "' does not exist"),
                problems(server("tls.cert", pem, "tls.key", pem, "tls.client-ca", missing)));
        assertEquals(List.of("itt.tunnels.a.tls.trust: '" + dir + "' is not a file"),
                problems(agent("s:7000", "tls.trust", dir.toString())));
    }

    @Test
    void eachEndRefusesTheOtherEndsKeys() {
        List<String> server = problems(server("tls.cert", pem, "tls.key", pem, "tls.trust", pem, "tls.server-name",
                "x"));
        assertEquals(2, server.size(), server.toString());
        assertTrue(server.contains("itt.tunnels.s.tls.trust: is an agent key; a server end turns TLS on with tls.cert"
                + " and tls.key"), server.toString());
        assertEquals(List.of("itt.tunnels.a.tls.client-ca: is a server-end key; an agent names the CAs it trusts"
                + " with tls.trust"), problems(agent("s:7000", "tls.client-ca", pem)));
        assertEquals(List.of("itt.tunnels.s.tls.client-ca: requires TLS on the tunnel port: set tls.cert and"
                + " tls.key too"), problems(server("tls.client-ca", pem)));
    }

    @Test
    void tlsSwitchedOffWhileOtherTlsKeysAreSetIsAnError() {
        assertEquals(List.of("itt.tunnels.a.tls.enabled: is false, but other tls.* keys are set: remove them, or"
                + " remove tls.enabled=false"), problems(agent("s:7000", "tls.enabled", "false", "tls.trust", pem)));
    }

    @Test
    void aUnixDownstreamNeedsAServerNameToVerify() {
        assertEquals(List.of("itt.tunnels.a.tls.server-name: is missing: a unix: downstream has no host name to"
                + " verify the server end's certificate against"), problems(agent("unix:/run/itt.sock",
                        "tls.enabled", "true")));
    }

    @Test
    void tlsKeysAreKnownToTheEnvironmentCheck() {
        Map<String, String> env = Map.of("ITT_TUNNELS_A_TLS_SERVER_NAME", "itt.example.com");
        TunnelSpec.Agent a = (TunnelSpec.Agent) TestConfigs.specs(agent("10.0.0.5:7000"), env).get(0);
        assertEquals("itt.example.com", a.tls().serverName());
    }

    @Test
    void listenTlsKeysTurnTlsOnForTheUsersOfATcpListen() {
        TunnelSpec.Server s = (TunnelSpec.Server) TestConfigs.specs(server("listen-tls.cert", pem, "listen-tls.key",
                pem, "listen-tls.client-ca", pem), Map.of()).get(0);
        assertEquals(new TlsSpec.Server(Path.of(pem), Path.of(pem), Path.of(pem), TestConfigs.TLS_ENGINE), s.listenTls());
        assertNull(s.tls(), "the tunnel port stays plaintext");
        assertNull(((TunnelSpec.Server) TestConfigs.specs(server(), Map.of()).get(0)).listenTls());
        TunnelSpec.Server fromEnv = (TunnelSpec.Server) TestConfigs.specs(server(), Map.of(
                "ITT_TUNNELS_S_LISTEN_TLS_CERT", pem, "ITT_TUNNELS_S_LISTEN_TLS_KEY", pem)).get(0);
        assertEquals(new TlsSpec.Server(Path.of(pem), Path.of(pem), null, TestConfigs.TLS_ENGINE), fromEnv.listenTls());
    }

    @Test
    void listenTlsProblemsNameTunnelAndKey() {
        Map<String, String> unix = server("listen-tls.cert", pem, "listen-tls.key", pem);
        unix.put("itt.tunnels.s.listen", "unix:" + dir.resolve("users.sock"));
        assertEquals(List.of("itt.tunnels.s.listen-tls.cert: is set, but listen 'unix:" + dir.resolve("users.sock")
                + "' is a Unix socket: listen-tls is for a TCP listen only (who may connect to a Unix socket is set by"
                + " listen-mode and listen-group)"), problems(unix));
        assertEquals(List.of("itt.tunnels.s.listen-tls.key: is missing: listen-tls.cert is set, and a certificate"
                + " needs its private key"), problems(server("listen-tls.cert", pem)));
        assertEquals(List.of("itt.tunnels.s.listen-tls.client-ca: requires TLS on the listen side: set"
                + " listen-tls.cert and listen-tls.key too"), problems(server("listen-tls.client-ca", pem)));
        String missing = dir.resolve("nope.pem").toString();
        assertEquals(List.of("itt.tunnels.s.listen-tls.key: '" + missing + "' does not exist"),
                problems(server("listen-tls.cert", pem, "listen-tls.key", missing)));
        assertEquals(List.of("itt.tunnels.a.listen-tls.cert: is a server-end key (TLS for the users at listen); an"
                + " agent has no listen side"), problems(agent("s:7000", "listen-tls.cert", pem)));
    }
}
