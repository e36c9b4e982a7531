package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.TlsSpec;
import dev.itt.testing.Peers;
import dev.itt.testing.TestPki;
import dev.itt.testing.TunnelFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS versions and cipher suites a server end's tunnel port accepts, asked by the real {@code openssl s_client}
 * offering one version or one suite at a time: TLS 1.3 and TLS 1.2 with the forward-secret AEAD suites of Mozilla's
 * "intermediate" profile are accepted; TLS 1.1, and the TLS 1.2 CBC suites the JDK would otherwise enable, are not.
 * The test certificate has an EC key, so the ECDSA suites are the ones that can be negotiated.
 */
class TlsProfileTest {
    @TempDir
    static Path dir;
    private static TunnelFixture tunnel;
    private static final String OPENSSL = Peers.require("openssl", "openssl");

    @BeforeAll
    static void server() throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Issued cert = pki.issue(pki.ca("ca"), "server", "IP:127.0.0.1");
        tunnel = new TunnelFixture().serverTls(new TlsSpec.Server(cert.cert(), cert.key(), null)).startServer();
    }

    @AfterAll
    static void stop() {
        tunnel.close();
    }

    /** What s_client reports, and its exit status: 0 when the handshake succeeded. */
    private record Handshake(int status, String output) {
        String field(String name) {
            for (String line : output.split("\n")) {
                String l = line.strip();
                if (l.startsWith(name + ":")) {
                    return l.substring(name.length() + 1).strip();
                }
            }
            return null;
        }
    }

    private static Handshake offer(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_client", "-connect",
                "127.0.0.1:" + tunnel.server.tunnelPort(), "-brief"));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close(); // EOF on stdin: s_client ends after the handshake
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "s_client finished");
        return new Handshake(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void tls13IsAccepted() throws Exception {
        Handshake h = offer("-tls1_3");
        assertEquals(0, h.status(), h.output());
        assertEquals("TLSv1.3", h.field("Protocol version"), h.output());
    }

    @Test
    void tls12WithAnAeadSuiteOfTheProfileIsAccepted() throws Exception {
        for (String suite : List.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305")) {
            Handshake h = offer("-tls1_2", "-cipher", suite);
            assertEquals(0, h.status(), suite + ": " + h.output());
            assertEquals("TLSv1.2", h.field("Protocol version"), h.output());
            assertEquals(suite, h.field("Ciphersuite"), h.output());
        }
    }

    @Test
    void tls12CbcSuitesAreRefused() throws Exception {
        for (String suite : List.of("ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA",
                "ECDHE-ECDSA-AES256-SHA")) {
            Handshake h = offer("-tls1_2", "-cipher", suite);
            assertNotEquals(0, h.status(), suite + " must be refused: " + h.output());
        }
    }

    @Test
    void tls11IsRefused() throws Exception {
        // SECLEVEL=0: without it openssl itself would not offer TLS 1.1, and the test would prove nothing
        Handshake h = offer("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        assertNotEquals(0, h.status(), h.output());
        assertTrue(h.output().contains("alert") || h.output().contains("version"), h.output());
    }
}
