package dev.itt.vertx;

import dev.itt.config.TlsSpec;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TCPSSLOptions;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.LinkedHashSet;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS options in one place: the server end's TLS listeners ({@code tunnel}, and {@code listen} with
 * {@code listen-tls.*}) and the agent's dial of {@code downstream}. Vert.x does the TLS, with the engine
 * {@code tls.engine} names; this class only chooses: TLS 1.2 and 1.3 with the same cipher suites whatever the
 * engine, the PEM material {@link TlsFiles} loaded, client certificates required when a client CA is set, hostname
 * verification always on for the agent, and the handshake bounded by the tunnel's {@code handshake-timeout}.
 */
public final class TlsOptions {
    /** TLS 1.0 and 1.1 are off (RFC 8996). */
    static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

    /**
     * Mozilla's "intermediate" TLS 1.2 suites without the DHE ones (BoringSSL has no DHE), then TLS 1.3's: forward
     * secrecy and AEAD only. Named explicitly because the engines' defaults differ: the JDK's TLS 1.2 list has CBC
     * suites, and Vert.x gives the OpenSSL engine every suite it has (CBC and static-RSA ones included) when none is
     * named.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private TlsOptions() {}

    /**
     * A server end's options for a TLS listener (the tunnel port, or the listen side); {@code tls} null leaves them
     * plaintext. The certificate, key and client CAs are the ones {@code tls} loaded, so that a later
     * {@link TlsFiles#poll()} can replace them.
     */
    public static NetServerOptions server(NetServerOptions options, TlsFiles tls) {
        if (tls == null) {
            return options;
        }
        SSLOptions loaded = tls.options();
        common(options, loaded, tls.engine());
        options.setKeyCertOptions(loaded.getKeyCertOptions());
        if (loaded.getTrustOptions() != null) {
            options.setTrustOptions(loaded.getTrustOptions()).setClientAuth(ClientAuth.REQUIRED);
        }
        return options;
    }

    /**
     * The agent's options for dialing the server end; {@code tls} null leaves them plaintext. The trusted CAs and
     * the client certificate are the ones {@code tls} loaded, so that a later {@link TlsFiles#poll()} can replace
     * them; without trusted CAs the JVM's trust store is used.
     */
    public static NetClientOptions agent(NetClientOptions options, TlsFiles tls) {
        if (tls == null) {
            return options;
        }
        SSLOptions loaded = tls.options();
        common(options, loaded, tls.engine());
        // "HTTPS": RFC 2818/6125 name checks against tls.server-name (or the downstream host); never turned off
        options.setHostnameVerificationAlgorithm("HTTPS").setTrustAll(false);
        options.setTrustOptions(loaded.getTrustOptions());
        options.setKeyCertOptions(loaded.getKeyCertOptions());
        return options;
    }

    /** What both sides set alike: TLS on, the engine, and the versions, suites and handshake time of {@code loaded}. */
    private static void common(TCPSSLOptions options, SSLOptions loaded, TlsSpec.Engine engine) {
        options.setSsl(true);
        options.setSslEngineOptions(switch (engine) {
            case OPENSSL -> new OpenSSLEngineOptions();
            case JDK -> new JdkSSLEngineOptions();
        });
        options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(loaded.getEnabledSecureTransportProtocols()));
        loaded.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        options.setSslHandshakeTimeout(loaded.getSslHandshakeTimeout());
        options.setSslHandshakeTimeoutUnit(loaded.getSslHandshakeTimeoutUnit());
    }

    /**
     * Fails the start when {@code engine} is OpenSSL and BoringSSL cannot be loaded here (a platform ITT ships no
     * native library for), rather than at the first connection.
     *
     * @throws IllegalStateException naming the tunnel, the key and why
     */
    static void checkEngine(String tunnel, TlsSpec.Engine engine) {
        if (engine == TlsSpec.Engine.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("tunnel " + tunnel + ": tls.engine is openssl, but BoringSSL cannot be"
                    + " loaded on this machine (" + message(OpenSsl.unavailabilityCause()) + "); set tls.engine=jdk"
                    + " to use the JVM's TLS");
        }
    }

    /** Whether {@code failure} is a TLS handshake's: the peer's certificate, the protocol, or a peer without TLS. */
    public static boolean isTlsFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof NotSslRecordException) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line on why a TLS connection failed, for the log: what the JDK found wrong with the peer's certificate
     * when it was that, else the deepest message. Other failures come back as their own message.
     */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                // Netty's message carries the whole record in hex; the first bytes say nothing to a reader
                return "the peer does not speak TLS: what it sent is not a TLS record (is TLS set on both ends?)";
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v
                            && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "TLS handshake failed: the peer's certificate has expired or is not yet valid (" + message(t)
                        + ")";
            }
            if (t instanceof CertPathBuilderException) {
                return "TLS handshake failed: the peer's certificate is not signed by a trusted CA (" + message(t)
                        + ")";
            }
            tls |= t instanceof SSLException;
            root = t;
        }
        return tls ? "TLS handshake failed: " + message(root) : message(failure);
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
