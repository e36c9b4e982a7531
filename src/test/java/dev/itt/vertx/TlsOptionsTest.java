package dev.itt.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.TlsSpec;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The choices TlsOptions makes, read back from the Vert.x options; and its one-line failure reasons. */
class TlsOptionsTest {
    private static final Path CERT = Path.of("s.crt");
    private static final Path KEY = Path.of("s.key");
    private static final Path CA = Path.of("ca.crt");

    @Test
    void noTlsSpecLeavesTheOptionsPlaintext() {
        NetServerOptions server = new NetServerOptions();
        assertSame(server, TlsOptions.server(server, null, Duration.ofSeconds(1)));
        assertFalse(server.isSsl());
        assertFalse(TlsOptions.agent(new NetClientOptions(), null, Duration.ofSeconds(1)).isSsl());
    }

    @Test
    void theServerEndSpeaksOnlyTls12And13AndRequiresClientCertificatesWithAClientCa() {
        NetServerOptions o = TlsOptions.server(new NetServerOptions(), new TlsSpec.Server(CERT, KEY, CA),
                Duration.ofMillis(2500));
        assertTrue(o.isSsl());
        assertEquals(Set.of("TLSv1.2", "TLSv1.3"), o.getEnabledSecureTransportProtocols());
        assertEquals(ClientAuth.REQUIRED, o.getClientAuth());
        assertEquals(List.of(CA.toString()), ((PemTrustOptions) o.getTrustOptions()).getCertPaths());
        assertEquals(2500, TimeUnit.MILLISECONDS.convert(o.getSslHandshakeTimeout(), o.getSslHandshakeTimeoutUnit()));
        NetServerOptions plain = TlsOptions.server(new NetServerOptions(), new TlsSpec.Server(CERT, KEY, null),
                Duration.ofSeconds(1));
        assertEquals(ClientAuth.NONE, plain.getClientAuth());
        assertNull(plain.getTrustOptions());
    }

    @Test
    void theAgentAlwaysVerifiesTheHostnameAndTrustsTheJvmStoreWithoutATrustFile() {
        NetClientOptions o = TlsOptions.agent(new NetClientOptions(), new TlsSpec.Agent(null, null, null, "x"),
                Duration.ofSeconds(1));
        assertTrue(o.isSsl());
        assertEquals("HTTPS", o.getHostnameVerificationAlgorithm());
        assertFalse(o.isTrustAll());
        assertNull(o.getTrustOptions(), "the JVM's default trust store");
        assertNull(o.getKeyCertOptions(), "no client certificate");
        assertEquals(Set.of("TLSv1.2", "TLSv1.3"), o.getEnabledSecureTransportProtocols());
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
