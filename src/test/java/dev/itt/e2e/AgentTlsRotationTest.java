package dev.itt.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.TlsSpec;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.MountedSecret;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TestPki;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import dev.itt.vertx.TlsFiles;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own TLS files ({@code tls.trust}, {@code tls.cert}, {@code tls.key}) replaced as the kubelet replaces
 * a mounted Secret: the session already open keeps its streams, the next dial of the server end uses the new
 * files (hostname verification still on), and a bad version is reported once while the files loaded before stay.
 * A dial is forced by restarting the server end on the same port.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentTlsRotationTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Ca oldCa;
    private TestPki.Ca newCa;
    private MountedSecret secret;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        oldCa = pki.ca("old-ca");
        newCa = pki.ca("new-ca");
        secret = new MountedSecret(dir.resolve("secret"));
    }

    private TunnelFixture fixture(TestPki.Issued serverCert, Path clientCa) {
        return new TunnelFixture().session(TestConfigs.session("t", null, Map.of("handshake-timeout", "2s")))
                .serverTls(new TlsSpec.Server(serverCert.cert(), serverCert.key(), clientCa, TestConfigs.TLS_ENGINE));
    }

    /** Stops the server end and starts one with {@code cert} on the same tunnel port: every agent dials again. */
    private static void restartServer(TunnelFixture t, TestPki.Issued cert, Path clientCa) {
        int port = t.server.tunnelPort();
        TunnelFixture.join(t.server.stop());
        t.serverTls(new TlsSpec.Server(cert.cert(), cert.key(), clientCa, TestConfigs.TLS_ENGINE))
                .tunnel("127.0.0.1:" + port).startServer();
    }

    private TlsSpec.Agent trustingTheSecret() {
        return new TlsSpec.Agent(secret.file("ca.crt"), null, null, "127.0.0.1", TestConfigs.TLS_ENGINE);
    }

    @Test
    void aNewTrustBundleServesTheNextDialWhileTheOpenSessionKeepsItsStreams() throws Exception {
        TestPki.Issued oldServer = pki.issue(oldCa, "old-server", "IP:127.0.0.1");
        TestPki.Issued newServer = pki.issue(newCa, "new-server", "IP:127.0.0.1");
        TestPki.Issued wrongName = pki.issue(newCa, "elsewhere", "DNS:elsewhere.example");
        secret.publish("v1", Map.of("ca.crt", MountedSecret.bytes(oldCa.cert())));
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(data);
        int half = data.length / 2;
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                LogCapture dials = LogCapture.start(AgentEnd.class.getName(), Level.FINE);
                TunnelFixture t = fixture(oldServer, null).startServer()) {
            AgentEnd agent = t.agentTls(trustingTheSecret()).connectedAgent(echo.address());
            TlsFiles files = agent.tlsFiles().get(0);
            try (Socket user = Users.connect(t.userPort())) {
                Users.echoes(user, data, 0, half);

                secret.publish("v2", Map.of("ca.crt", MountedSecret.bytes(newCa.cert())));
                assertTrue(files.poll(), "the new trust bundle is taken");
                assertTrue(log.await("tls re-read").contains("new connections get the new trusted CAs"));

                Users.echoes(user, data, half, data.length - half);
                assertTrue(agent.isReady(), "the session opened with the old bundle stays");
                assertEquals(1, log.matching("connected to server").size(), "no second dial so far");
            }

            restartServer(t, wrongName, null);
            // retries after the first are logged at debug
            assertTrue(dials.await("No subject alternative names matching IP address 127.0.0.1")
                    .contains("cannot reach server"), "after the update, the name is still checked");
            assertFalse(agent.isReady());

            restartServer(t, newServer, null);
            Await.until("the agent to dial the new server end with the new bundle", TunnelFixture.WAIT,
                    () -> agent.isReady() && t.server.stats().agents() == 1);
            try (Socket user = Users.connect(t.userPort())) {
                Users.echoes(user, data, 0, 64 * 1024);
            }
        }
    }

    @Test
    void aNewClientCertificateIsPresentedFromTheNextDial() throws Exception {
        TestPki.Issued server = pki.issue(oldCa, "server", "IP:127.0.0.1");
        TestPki.Ca agentsCa = pki.ca("agents-ca");
        TestPki.Issued stranger = pki.issue(newCa, "stranger", "DNS:agent");
        TestPki.Issued member = pki.issue(agentsCa, "member", "DNS:agent");
        secret.publish("v1", Map.of("tls.crt", MountedSecret.bytes(stranger.cert()), "tls.key",
                MountedSecret.bytes(stranger.key())));
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture(server, agentsCa.cert()).startServer()) {
            AgentEnd agent = t.agentTls(new TlsSpec.Agent(oldCa.cert(), secret.file("tls.crt"),
                    secret.file("tls.key"), "127.0.0.1", TestConfigs.TLS_ENGINE)).startAgent(echo.address());
            log.await("agent refused");
            assertFalse(agent.isReady(), "a certificate from another CA is refused");

            secret.publish("v2", Map.of("tls.crt", MountedSecret.bytes(member.cert()), "tls.key",
                    MountedSecret.bytes(member.key())));
            assertTrue(agent.tlsFiles().get(0).poll(), "the new certificate and key are taken");
            Await.until("the agent to present the new certificate", TunnelFixture.WAIT,
                    () -> agent.isReady() && t.server.stats().agents() == 1);
            assertTrue(log.await("tls re-read").contains("new connections get the new certificate"));
        }
    }

    @Test
    void aBadNewVersionIsReportedOnceAndTheFilesLoadedBeforeStay() throws Exception {
        TestPki.Issued server = pki.issue(oldCa, "server", "IP:127.0.0.1");
        secret.publish("v1", Map.of("ca.crt", MountedSecret.bytes(oldCa.cert())));
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture(server, null).startServer()) {
            AgentEnd agent = t.agentTls(trustingTheSecret()).connectedAgent(echo.address());
            TlsFiles files = agent.tlsFiles().get(0);
            assertFalse(files.poll(), "nothing changed");

            secret.publish("v2", Map.of("ca.crt", "not a certificate\n".getBytes(UTF_8)));
            assertFalse(files.poll());
            assertFalse(files.poll(), "the same bad version a second time");
            assertEquals(1, log.matching("cannot be loaded").size(), String.join("\n", log.matching("")));
            String line = log.matching("cannot be loaded").get(0);
            assertTrue(line.contains("tunnel t: tls.trust '" + secret.file("ca.crt") + "'"), line);
            assertTrue(line.contains("the trusted CAs loaded before stay in use"), line);

            Files.delete(secret.file("..v2").resolve("ca.crt"));
            assertFalse(files.poll());
            assertEquals(1, log.matching("tls.trust '" + secret.file("ca.crt") + "' cannot be read").size(),
                    String.join("\n", log.matching("")));

            restartServer(t, server, null);
            Await.until("the agent to dial again with the bundle loaded before", TunnelFixture.WAIT,
                    () -> agent.isReady() && t.server.stats().agents() == 1);
            assertEquals(2, log.matching("connected to server").size(), String.join("\n", log.matching("")));
        }
    }
}
