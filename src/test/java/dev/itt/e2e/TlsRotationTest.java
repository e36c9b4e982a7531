package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.FileWatcher;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server end's certificate and key replaced the way the kubelet replaces a mounted Secret ({@code tls.crt}
 * and {@code tls.key} are symlinks into {@code ..data}, which an update renames over with a new version): new
 * connections get the new certificate, the tunnel connection already open keeps its session and its streams, and
 * a bad version is reported once while the certificate loaded before stays.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsRotationTest {
    @TempDir
    Path dir;
    private MountedSecret secret;
    private TestPki pki;
    private TestPki.Ca oldCa;
    private TestPki.Ca newCa;
    private TestPki.Issued oldCert;
    private TestPki.Issued newCert;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        oldCa = pki.ca("old-ca");
        newCa = pki.ca("new-ca");
        oldCert = pki.issue(oldCa, "old-server", "IP:127.0.0.1");
        newCert = pki.issue(newCa, "new-server", "IP:127.0.0.1");
        secret = new MountedSecret(dir.resolve("secret"));
    }

    /** Publishes a version of the Secret, atomically, as the kubelet does. */
    private void publish(String version, Path cert, Path key) throws IOException {
        secret.publish(version, Map.of("tls.crt", MountedSecret.bytes(cert), "tls.key", MountedSecret.bytes(key)));
    }

    private TunnelFixture server() {
        return new TunnelFixture().session(TestConfigs.session("t", null, Map.of("handshake-timeout", "2s")))
                .serverTls(new TlsSpec.Server(secret.file("tls.crt"), secret.file("tls.key"), null,
                        TestConfigs.TLS_ENGINE))
                .startServer();
    }

    private static TlsSpec.Agent trusting(TestPki.Ca ca) {
        return new TlsSpec.Agent(ca.cert(), null, null, "127.0.0.1", TestConfigs.TLS_ENGINE);
    }

    /** The certificate a fresh TLS connection to the tunnel port is served, trusting only {@code ca}. */
    private static X509Certificate served(int port, TestPki.Ca ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca.cert())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void aRotatedCertificateGoesToNewSessionsWhileATransferOnTheOldOneCompletesByteExact() throws Exception {
        publish("v1", oldCert.cert(), oldCert.key());
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(21).nextBytes(data);
        int half = data.length / 2;
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = server(); FileWatcher watcher = new FileWatcher(Duration.ofMillis(50))) {
            t.server.tlsFiles().forEach(watcher::watch);
            AgentEnd first = t.agentTls(trusting(oldCa)).connectedAgent(echo.address());
            assertTrue(served(t.server.tunnelPort(), oldCa).getSubjectX500Principal().getName()
                    .contains("CN=old-server"));
            try (Socket user = Users.connect(t.userPort())) {
                Users.echoes(user, data, 0, half);

                publish("v2", newCert.cert(), newCert.key());
                assertTrue(log.await("tls re-read").contains("new connections get the new certificate"));
                assertTrue(served(t.server.tunnelPort(), newCa).getSubjectX500Principal().getName()
                        .contains("CN=new-server"), "a new connection is served the new certificate");
                AgentEnd second = t.agentTls(trusting(newCa)).connectedAgent(echo.address());
                assertTrue(second.isReady(), "an agent that trusts only the new CA gets a session");

                Users.echoes(user, data, half, data.length - half);
                assertTrue(first.isReady(), "the session opened with the old certificate stays");
                assertEquals(2, t.server.stats().agents());
            }
            AgentEnd stale = t.agentTls(trusting(oldCa)).startAgent(echo.address());
            assertTrue(log.await("cannot reach server").contains("not signed by a trusted CA"));
            assertFalse(stale.isReady(), "an agent that trusts only the old CA is refused from now on");
        }
    }

    @Test
    void aBadNewVersionIsReportedOnceAndTheCertificateLoadedBeforeStays() throws Exception {
        publish("v1", oldCert.cert(), oldCert.key());
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key\n");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = server()) {
            TlsFiles files = t.server.tlsFiles().get(0);
            assertFalse(files.poll(), "nothing changed");

            publish("v2", newCert.cert(), garbage);
            assertFalse(files.poll());
            assertFalse(files.poll(), "the same bad version a second time");
            assertEquals(1, log.matching("cannot be loaded").size(), String.join("\n", log.matching("")));
            String line = log.matching("cannot be loaded").get(0);
            assertTrue(line.contains("tunnel t: tls.cert '" + secret.file("tls.crt") + "' and tls.key '"
                    + secret.file("tls.key") + "'"), line);
            assertTrue(line.contains("the certificate and key loaded before stay in use"), line);

            publish("v3", newCert.cert(), oldCert.key()); // a writer that replaced only one of the two
            assertFalse(files.poll());
            assertEquals(1, log.matching("does not belong").size(), String.join("\n", log.matching("")));

            Files.delete(secret.file("..v3").resolve("tls.key"));
            assertFalse(files.poll());
            assertFalse(files.poll());
            assertEquals(1, log.matching("tls.key '" + secret.file("tls.key") + "' cannot be read").size(),
                    String.join("\n", log.matching("")));

            assertTrue(served(t.server.tunnelPort(), oldCa).getSubjectX500Principal().getName()
                    .contains("CN=old-server"), "the old certificate is still served");
            t.agentTls(trusting(oldCa)).connectedAgent(echo.address());

            publish("v4", newCert.cert(), newCert.key());
            assertTrue(files.poll(), "a good version is taken again");
            log.await("tls re-read");
            Await.until("the new certificate to be served", TunnelFixture.WAIT, () -> {
                try {
                    return served(t.server.tunnelPort(), newCa).getSubjectX500Principal().getName()
                            .contains("CN=new-server");
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(0, log.matching("did not take").size());
        }
    }
}
