package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.TlsSpec;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TestPki;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import dev.itt.vertx.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the users' side ({@code listen-tls.*}): a JDK TLS client at the server end's listen, a plaintext tunnel and
 * a plaintext upstream behind it; refusals of users that do not speak TLS or hold no accepted certificate, before
 * any stream is opened; and a replaced certificate served to new users.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenTlsTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Ca ca;
    private TestPki.Issued server;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        ca = pki.ca("users-side-ca");
        server = pki.issue(ca, "listen-server", "IP:127.0.0.1");
    }

    private static TunnelFixture fixture() {
        return new TunnelFixture().session(TestConfigs.session("t", null, Map.of("handshake-timeout", "2s")));
    }

    /** A JDK TLS client that trusts only {@code trust}, presenting {@code cert} when it is not null. */
    private static SSLSocket user(int port, TestPki.Ca trust, TestPki.Issued cert) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(trust.cert())) {
            trusted.setCertificateEntry("ca", x509.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        KeyManagerFactory kmf = null;
        if (cert != null) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            String pem = Files.readString(cert.key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(pem)));
            try (InputStream in = Files.newInputStream(cert.cert())) {
                own.setKeyEntry("me", key, new char[0], new Certificate[] {x509.generateCertificate(in)});
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(own, new char[0]);
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code size} random bytes from another thread and reads them back; true if they came back exact. */
    private static boolean echoes(Socket s, long seed, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        OutputStream out = s.getOutputStream();
        Thread writer = new Thread(() -> {
            try {
                out.write(data);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        byte[] back = s.getInputStream().readNBytes(size);
        writer.join();
        return Arrays.equals(data, back);
    }

    /** True if the connection ends (EOF or an error) without a byte coming back. */
    private static boolean refused(Socket s) {
        try {
            s.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return s.getInputStream().read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aTlsUserReachesAPlaintextUpstreamThroughAPlaintextTunnel() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().listenTls(new TlsSpec.Server(server.cert(), server.key(), null, TestConfigs.TLS_ENGINE))
                        .startServer()) {
            String started = log.await("server end listening");
            assertTrue(started.matches(".*users on 127\\.0\\.0\\.1:\\d+ \\(TLS\\), for agents on 127\\.0\\.0\\.1:\\d+$"),
                    started);
            t.connectedAgent(echo.address());
            try (SSLSocket s = user(t.userPort(), ca, null)) {
                assertTrue(echoes(s, 31, 512 * 1024), "the echo came back byte-exact");
                X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertTrue(served.getSubjectX500Principal().getName().contains("CN=listen-server"));
            }
            assertEquals(1, echo.accepted(), "one upstream connection, for the one user");
        }
    }

    @Test
    void aPlaintextUserAtATlsListenIsRefusedBeforeAnyStream() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().listenTls(new TlsSpec.Server(server.cert(), server.key(), null, TestConfigs.TLS_ENGINE))
                        .startServer()) {
            t.connectedAgent(echo.address());
            try (Socket plain = Users.connect(t.userPort())) {
                plain.setSoTimeout(10_000);
                assertTrue(refused(plain), "the plaintext user's connection ends without a reply");
            }
            assertTrue(log.await("user refused").contains("the peer does not speak TLS"));
            assertEquals(0, echo.accepted(), "no stream, so no upstream connection");
        }
    }

    @Test
    void withAClientCaOnlyUsersWithACertificateFromItGetThrough() throws Exception {
        TestPki.Ca users = pki.ca("users-ca");
        TestPki.Issued alice = pki.issue(users, "alice");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().listenTls(new TlsSpec.Server(server.cert(), server.key(), users.cert(), TestConfigs.TLS_ENGINE))
                        .startServer()) {
            assertTrue(log.await("server end listening").contains("(TLS, user certificates required)"));
            t.connectedAgent(echo.address());
            try (SSLSocket anonymous = user(t.userPort(), ca, null)) {
                assertTrue(refused(anonymous), "a user without a certificate gets no reply");
            }
            assertTrue(log.await("user refused").contains("TLS handshake failed"));
            assertEquals(0, echo.accepted());
            try (SSLSocket s = user(t.userPort(), ca, alice)) {
                assertTrue(echoes(s, 32, 64 * 1024));
            }
            assertEquals(1, echo.accepted());
        }
    }

    @Test
    void aReplacedListenCertificateIsServedToNewUsersWhileAnOpenOneKeepsFlowing() throws Exception {
        TestPki.Issued renewed = pki.issue(ca, "listen-server-renewed", "IP:127.0.0.1");
        Path cert = Files.copy(server.cert(), dir.resolve("live.crt"));
        Path key = Files.copy(server.key(), dir.resolve("live.key"));
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); LogCapture log = LogCapture.start();
                TunnelFixture t = fixture().listenTls(new TlsSpec.Server(cert, key, null, TestConfigs.TLS_ENGINE)).startServer()) {
            t.connectedAgent(echo.address());
            TlsFiles files = t.server.tlsFiles().get(0);
            try (SSLSocket open = user(t.userPort(), ca, null)) {
                assertTrue(echoes(open, 33, 64 * 1024));
                // replace both files, each by an atomic rename, before the next poll
                Files.move(Files.copy(renewed.cert(), dir.resolve("next.crt")), cert, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                Files.move(Files.copy(renewed.key(), dir.resolve("next.key")), key, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                assertTrue(files.poll());
                assertTrue(log.await("listen-tls re-read").contains("'" + cert + "'"));
                try (SSLSocket fresh = user(t.userPort(), ca, null)) {
                    assertTrue(echoes(fresh, 34, 64 * 1024));
                    assertTrue(((X509Certificate) fresh.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName().contains("CN=listen-server-renewed"));
                }
                assertTrue(echoes(open, 35, 64 * 1024), "the user connected before keeps its connection");
                assertFalse(((X509Certificate) open.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName().contains("renewed"));
            }
        }
    }
}
