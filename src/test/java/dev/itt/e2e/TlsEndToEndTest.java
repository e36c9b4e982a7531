package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.TlsSpec;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TestPki;
import dev.itt.testing.TunnelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server end and agent over loopback with TLS on the tunnel connection, certificates made by openssl at
 * test time. Each refusal must be logged as one clear line, leave no session on either end, and come well within
 * the handshake timeout (2 s here), never as a hang.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsEndToEndTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Ca ca;
    private TestPki.Issued server;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        ca = pki.ca("itt-test-ca");
        server = pki.issue(ca, "server", "DNS:localhost", "IP:127.0.0.1");
    }

    private static TunnelFixture fixture() {
        return new TunnelFixture().session(TestConfigs.session("t", null, Map.of("handshake-timeout", "2s")));
    }

    private static TlsSpec.Server serverTls(TestPki.Issued cert, TestPki.Ca clientCa) {
        return new TlsSpec.Server(cert.cert(), cert.key(), clientCa == null ? null : clientCa.cert(), TestConfigs.TLS_ENGINE);
    }

    private static TlsSpec.Agent agentTls(TestPki.Ca trust, TestPki.Issued cert, String serverName) {
        return new TlsSpec.Agent(trust.cert(), cert == null ? null : cert.cert(), cert == null ? null : cert.key(),
                serverName, TestConfigs.TLS_ENGINE);
    }

    /** The agent must not get a session, and the server end must have none either. */
    private static void refused(TunnelFixture t, AgentEnd agent) {
        assertFalse(agent.isReady(), "the agent has no session");
        assertEquals(0, t.server.stats().agents(), "the server end has no agent");
    }

    @Test
    void anAgentThatTrustsTheServersCaCarriesBytesOverTls() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, null)).startServer()) {
            assertTrue(log.await("server end listening").contains("(TLS)"), "the start-up line says TLS");
            t.agentTls(agentTls(ca, null, "127.0.0.1")).connectedAgent(echo.address());
            assertTrue(TunnelEndToEndTest.echoesItsOwnBytes(t.userPort(), 11, 1024 * 1024));
        }
    }

    @Test
    void anAgentTrustingAnotherCaRefusesTheServer() throws Exception {
        TestPki.Ca other = pki.ca("other-ca");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, null)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(other, null, "127.0.0.1")).startAgent(echo.address());
            String line = log.await("cannot reach server");
            assertTrue(line.contains("TLS handshake failed: the peer's certificate is not signed by a trusted CA"),
                    line);
            log.await("agent refused"); // the server end saw the agent's alert
            refused(t, agent);
        }
    }

    @Test
    void aServerCertificateWithoutTheNameIsRefused() throws Exception {
        TestPki.Issued elsewhere = pki.issue(ca, "elsewhere", "DNS:elsewhere.example");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(elsewhere, null)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(ca, null, "127.0.0.1")).startAgent(echo.address());
            String line = log.await("cannot reach server");
            assertTrue(line.contains("TLS handshake failed") && line.contains("127.0.0.1"), line);
            refused(t, agent);
        }
    }

    @Test
    void theServerNameIsTheOnlyNameThatPassesEvenWhenTheCertificateCarriesTheDialedAddress() throws Exception {
        // the certificate is good for 127.0.0.1, which is dialed; the configured name is not on it
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, null)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(ca, null, "itt.example.com")).startAgent(echo.address());
            String line = log.await("cannot reach server");
            assertTrue(line.contains("TLS handshake failed") && line.contains("itt.example.com"), line);
            refused(t, agent);
        }
    }

    @Test
    void aServerNameOtherThanTheDialedHostIsVerifiedAndSent() throws Exception {
        TestPki.Issued named = pki.issue(ca, "named", "DNS:itt.example.com");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = fixture().serverTls(serverTls(named, null)).startServer()) {
            t.agentTls(agentTls(ca, null, "itt.example.com")).connectedAgent(echo.address());
            assertTrue(TunnelEndToEndTest.echoesItsOwnBytes(t.userPort(), 12, 64 * 1024));
        }
    }

    @Test
    void anExpiredServerCertificateIsRefused() throws Exception {
        TestPki.Issued expired = pki.expired(ca, "expired", "IP:127.0.0.1");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(expired, null)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(ca, null, "127.0.0.1")).startAgent(echo.address());
            String line = log.await("cannot reach server");
            assertTrue(line.contains("TLS handshake failed: the peer's certificate has expired"), line);
            refused(t, agent);
        }
    }

    @Test
    void aPlaintextAgentAtATlsPortIsRefusedAtOnce() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, null)).startServer()) {
            long start = System.nanoTime();
            AgentEnd agent = t.startAgent(echo.address());
            String line = log.await("agent refused");
            assertTrue(line.contains("the peer does not speak TLS"), line);
            log.await("lost server");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0,
                    "refused before the handshake timeout, not by it");
            refused(t, agent);
        }
    }

    @Test
    void aTlsAgentAtAPlaintextPortIsRefusedWithinTheHandshakeTimeout() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().startServer()) {
            long start = System.nanoTime();
            AgentEnd agent = t.agentTls(agentTls(ca, null, "127.0.0.1")).startAgent(echo.address());
            String line = log.await("cannot reach server");
            assertTrue(line.contains("TLS"), line);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
                    "refused within the 2 s handshake timeout (and its check interval)");
            refused(t, agent);
        }
    }

    @Test
    void mutualTlsAcceptsAnAgentCertificateFromTheClientCa() throws Exception {
        TestPki.Ca agents = pki.ca("agents-ca");
        TestPki.Issued agentCert = pki.issue(agents, "agent");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, agents)).startServer()) {
            assertTrue(log.await("server end listening").contains("agent certificates required"));
            t.agentTls(agentTls(ca, agentCert, "127.0.0.1")).connectedAgent(echo.address());
            assertTrue(TunnelEndToEndTest.echoesItsOwnBytes(t.userPort(), 13, 256 * 1024));
        }
    }

    @Test
    void mutualTlsRefusesAnAgentWithoutACertificate() throws Exception {
        TestPki.Ca agents = pki.ca("agents-ca");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, agents)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(ca, null, "127.0.0.1")).startAgent(echo.address());
            String line = log.await("agent refused");
            assertTrue(line.contains("TLS handshake failed"), line);
            refused(t, agent);
        }
    }

    @Test
    void mutualTlsRefusesAnAgentCertificateFromAnotherCa() throws Exception {
        TestPki.Ca agents = pki.ca("agents-ca");
        TestPki.Ca rogue = pki.ca("rogue-ca");
        TestPki.Issued rogueCert = pki.issue(rogue, "rogue-agent");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().serverTls(serverTls(server, agents)).startServer()) {
            AgentEnd agent = t.agentTls(agentTls(ca, rogueCert, "127.0.0.1")).startAgent(echo.address());
            // The JDK's key manager offers a certificate only if the server asks for its issuer, so the rogue
            // certificate is never sent: the server sees an empty chain, as without a certificate.
            String line = log.await("agent refused");
            assertTrue(line.contains("TLS handshake failed"), line);
            refused(t, agent);
        }
    }

    @Test
    void aKeyFileThatDoesNotParseFailsTheStartNamingTunnelAndKey() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key\n");
        try (TunnelFixture t = fixture().serverTls(new TlsSpec.Server(server.cert(), garbage, null, TestConfigs.TLS_ENGINE))) {
            AssertionError e = assertThrows(AssertionError.class, t::startServer);
            String message = String.valueOf(e.getCause());
            assertTrue(message.contains("tunnel t: tls.cert '" + server.cert() + "' and tls.key '" + garbage
                    + "' cannot be loaded"), message);
        }
    }
}
