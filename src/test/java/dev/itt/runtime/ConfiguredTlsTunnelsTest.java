package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.itt.testing.Await;
import dev.itt.testing.Curl;
import dev.itt.testing.Target;
import dev.itt.testing.TestPki;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Tunnels with TLS from configuration, started by Quarkus: curl over HTTPS to the listen side, through a TLS tunnel
 * connection, to plaintext nginx; then the listen certificate replaced on disk and picked up by the running
 * application's file watcher, with no restart.
 */
@QuarkusTest
@WithTestResource(TlsTunnelResource.class)
class ConfiguredTlsTunnelsTest {
    @Inject
    TunnelManager tunnels;

    private static String fetch(TestPki.Ca trust, Path out) throws Exception {
        return Curl.getTls("https://127.0.0.1:" + TlsTunnelResource.listenPort + "/one.bin", trust.cert(), out);
    }

    @Test
    void curlReachesPlaintextNginxOverListenTlsAndARotatedCertificateIsServedWithoutARestart() throws Exception {
        Await.until("both ends ready", Duration.ofSeconds(20),
                () -> tunnels.ends().size() == 2 && tunnels.ends().stream().allMatch(e -> e.isReady()));
        Path out = Files.createTempFile("itt", ".bin");
        assertEquals("200 " + 1024 * 1024, fetch(TlsTunnelResource.usersCa, out));
        assertArrayEquals(Target.sha256().digest(Files.readAllBytes(TlsTunnelResource.www.resolve("one.bin"))),
                Target.sha256().digest(Files.readAllBytes(out)));

        TestPki.Ca next = TlsTunnelResource.rotateListenCertificate();
        Await.until("the new listen certificate to be served", Duration.ofSeconds(20), () -> {
            try {
                return fetch(next, out).equals("200 " + 1024 * 1024);
            } catch (Exception | AssertionError e) {
                return false; // curl refuses the old certificate until the watcher has taken the new one
            }
        });
        assertThrows(AssertionError.class, () -> fetch(TlsTunnelResource.usersCa, out),
                "curl trusting only the old CA is refused now");
    }
}
