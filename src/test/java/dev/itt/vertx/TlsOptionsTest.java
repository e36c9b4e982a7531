package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.TlsSpec;
import dev.itt.testing.Peers;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TestPki;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The choices TlsOptions makes, read back from the Vert.x options; and its one-line failure reasons. */
class TlsOptionsTest {

    @Test
    void noTlsSpecLeavesTheOptionsPlaintext() {
        NetServerOptions server = new NetServerOptions();
        assertSame(server, TlsOptions.server(server, null));
        assertFalse(server.isSsl());
        assertFalse(TlsOptions.agent(new NetClientOptions(), null).isSsl());
    }

    @Test
    void theServerEndSpeaksOnlyTls12And13AndRequiresClientCertificatesWithAClientCa(@TempDir Path dir)
            throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Ca ca = pki.ca("ca");
        TestPki.Issued server = pki.issue(ca, "server", "IP:127.0.0.1");
        Vertx vertx = Vertx.vertx();
        try {
            NetServerOptions o = TlsOptions.server(new NetServerOptions(), TlsFiles.load(vertx, "t", "tls",
                    new TlsSpec.Server(server.cert(), server.key(), ca.cert(), TestConfigs.TLS_ENGINE), Duration.ofMillis(2500)));
            assertTrue(o.isSsl());
            assertEquals(Set.of("TLSv1.2", "TLSv1.3"), o.getEnabledSecureTransportProtocols());
            assertEquals(ClientAuth.REQUIRED, o.getClientAuth());
            assertEquals(1, ((PemTrustOptions) o.getTrustOptions()).getCertValues().size(), "the client CA's bytes");
            assertEquals(2500, TimeUnit.MILLISECONDS.convert(o.getSslHandshakeTimeout(),
                    o.getSslHandshakeTimeoutUnit()));
            NetServerOptions plain = TlsOptions.server(new NetServerOptions(), TlsFiles.load(vertx, "t", "tls",
                    new TlsSpec.Server(server.cert(), server.key(), null, TestConfigs.TLS_ENGINE), Duration.ofSeconds(1)));
            assertEquals(ClientAuth.NONE, plain.getClientAuth());
            assertNull(plain.getTrustOptions());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void theAgentAlwaysVerifiesTheHostnameAndTrustsTheJvmStoreWithoutATrustFile() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            NetClientOptions o = TlsOptions.agent(new NetClientOptions(), TlsFiles.load(vertx, "t",
                    new TlsSpec.Agent(null, null, null, "x", TestConfigs.TLS_ENGINE), Duration.ofSeconds(1)));
            assertTrue(o.isSsl());
            assertEquals("HTTPS", o.getHostnameVerificationAlgorithm());
            assertFalse(o.isTrustAll());
            assertNull(o.getTrustOptions(), "the JVM's default trust store");
            assertNull(o.getKeyCertOptions(), "no client certificate");
            assertEquals(Set.of("TLSv1.2", "TLSv1.3"), o.getEnabledSecureTransportProtocols());
            assertEquals(Set.copyOf(TlsOptions.CIPHER_SUITES), o.getEnabledCipherSuites());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void eachEngineIsTheOneTlsEngineNames() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            assertInstanceOf(OpenSSLEngineOptions.class, TlsOptions.agent(new NetClientOptions(), TlsFiles.load(vertx,
                    "t", new TlsSpec.Agent(null, null, null, "x", TlsSpec.Engine.OPENSSL), Duration.ofSeconds(1)))
                    .getSslEngineOptions());
            assertInstanceOf(JdkSSLEngineOptions.class, TlsOptions.agent(new NetClientOptions(), TlsFiles.load(vertx,
                    "t", new TlsSpec.Agent(null, null, null, "x", TlsSpec.Engine.JDK), Duration.ofSeconds(1)))
                    .getSslEngineOptions());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /**
     * A real listener of either engine, asked by openssl's own client for one suite at a time: the forward-secret
     * AEAD suites of TLS 1.2 and TLS 1.3 are served, a CBC suite (which the OpenSSL engine would offer by default) is
     * refused, and so is TLS 1.1.
     */
    @ParameterizedTest
    @EnumSource(TlsSpec.Engine.class)
    void eitherEngineServesTheSameSuitesAndNoOthers(TlsSpec.Engine engine, @TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Issued cert = pki.issue(pki.ca("ca"), "server", "IP:127.0.0.1");
        Vertx vertx = Vertx.vertx();
        try {
            NetServer listener = vertx.createNetServer(TlsOptions.server(new NetServerOptions().setHost("127.0.0.1"),
                    TlsFiles.load(vertx, "t", "tls", new TlsSpec.Server(cert.cert(), cert.key(), null, engine),
                            Duration.ofSeconds(5))));
            listener.connectHandler(socket -> {});
            int port = listener.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .actualPort();
            assertEquals("ECDHE-ECDSA-AES128-GCM-SHA256", cipher(port, "-tls1_2", "-cipher",
                    "ECDHE-ECDSA-AES128-GCM-SHA256"));
            assertEquals("ECDHE-ECDSA-CHACHA20-POLY1305", cipher(port, "-tls1_2", "-cipher",
                    "ECDHE-ECDSA-CHACHA20-POLY1305"));
            assertEquals("TLS_AES_256_GCM_SHA384", cipher(port, "-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"));
            assertEquals("(NONE)", cipher(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"), "a CBC suite");
            assertEquals("(NONE)", cipher(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "TLS 1.1");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** The suite {@code openssl s_client} agreed on with the listener, or {@code (NONE)} when the handshake failed. */
    private static String cipher(int port, String... options) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Peers.require("openssl", "openssl"), "s_client",
                "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close(); // no input: s_client ends after the handshake
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not end");
        return out.lines().filter(l -> l.contains("Cipher is ")).findFirst()
                .map(l -> l.substring(l.indexOf("Cipher is ") + "Cipher is ".length()).trim())
                .orElseThrow(() -> new AssertionError("no 'Cipher is' line from " + command + ":\n" + out));
    }

    private static SSLHandshakeException handshake(Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException("handshake");
        e.initCause(cause);
        return e;
    }

    @Test
    void failuresAreNamedByWhatWentWrong() {
        assertTrue(TlsOptions.describe(handshake(new NotSslRecordException("hex")))
                .startsWith("the peer does not speak TLS"));
        CertPathValidatorException expired = new CertPathValidatorException("validity check failed",
                new CertificateExpiredException("NotAfter"), null, -1, CertPathValidatorException.BasicReason.EXPIRED);
        assertTrue(TlsOptions.describe(handshake(expired)).contains("has expired"));
        assertEquals("TLS handshake failed: Empty client certificate chain",
                TlsOptions.describe(new SSLHandshakeException("Empty client certificate chain")));
        assertEquals("Connection refused", TlsOptions.describe(new IOException("Connection refused")),
                "a failure that is not TLS keeps its own message");
    }
}
