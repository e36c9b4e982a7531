package dev.itt.runtime;

import dev.itt.testing.Await;
import dev.itt.testing.Nginx;
import dev.itt.testing.TestPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;

/**
 * nginx with a 1 MB file, and a server end {@code secure} plus its agent {@code secure-agent} configured with TLS on
 * both the tunnel connection and the users' side ({@code listen-tls.*}), certificates made at start. The listen
 * certificate and key are files {@link #rotateListenCertificate()} replaces by atomic renames.
 */
public class TlsTunnelResource implements QuarkusTestResourceLifecycleManager {
    static Path www;
    static Path dir;
    static int listenPort;
    static TestPki pki;
    static TestPki.Ca usersCa;
    static Path listenCert;
    static Path listenKey;
    private Nginx nginx;

    @Override
    public Map<String, String> start() {
        int tunnelPort;
        TestPki.Ca tunnelCa;
        TestPki.Issued tunnelCert;
        try {
            dir = Files.createTempDirectory("itt-quarkus-tls-test");
            www = Files.createDirectories(dir.resolve("www"));
            byte[] data = new byte[1024 * 1024];
            new Random(11).nextBytes(data);
            Files.write(www.resolve("one.bin"), data);
            nginx = Nginx.serve(dir.resolve("nginx"), www);
            Path certs = Files.createDirectories(dir.resolve("pki"));
            pki = new TestPki(certs);
            tunnelCa = pki.ca("tunnel-ca");
            tunnelCert = pki.issue(tunnelCa, "tunnel", "IP:127.0.0.1");
            usersCa = pki.ca("users-ca");
            TestPki.Issued users = pki.issue(usersCa, "users", "IP:127.0.0.1");
            listenCert = Files.copy(users.cert(), dir.resolve("listen.crt"));
            listenKey = Files.copy(users.key(), dir.resolve("listen.key"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        listenPort = Await.freePort();
        tunnelPort = Await.freePort();
        return Map.of(
                "itt.tunnels.secure.listen", "127.0.0.1:" + listenPort,
                "itt.tunnels.secure.tunnel", "127.0.0.1:" + tunnelPort,
                "itt.tunnels.secure.tls.cert", tunnelCert.cert().toString(),
                "itt.tunnels.secure.tls.key", tunnelCert.key().toString(),
                "itt.tunnels.secure.listen-tls.cert", listenCert.toString(),
                "itt.tunnels.secure.listen-tls.key", listenKey.toString(),
                "itt.tunnels.secure-agent.name", "secure",
                "itt.tunnels.secure-agent.downstream", "127.0.0.1:" + tunnelPort,
                "itt.tunnels.secure-agent.upstream", "127.0.0.1:" + nginx.port(),
                "itt.tunnels.secure-agent.tls.trust", tunnelCa.cert().toString());
    }

    /** A certificate from a new CA replaces the listen certificate and key; returns the new CA. */
    static TestPki.Ca rotateListenCertificate() throws Exception {
        TestPki.Ca next = pki.ca("users-ca-2");
        TestPki.Issued renewed = pki.issue(next, "users-2", "IP:127.0.0.1");
        Files.move(Files.copy(renewed.key(), dir.resolve("next.key")), listenKey, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Files.move(Files.copy(renewed.cert(), dir.resolve("next.crt")), listenCert, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return next;
    }

    @Override
    public void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }
}
