package dev.itt.config;

import java.util.Optional;

/**
 * TLS for the users of a server end ({@code itt.tunnels.NAME.listen-tls.*}), on a TCP {@code listen} only.
 * {@code cert} and {@code key} turn it on; {@code client-ca} requires user certificates. {@link TlsSpec} checks the
 * combination and the files.
 */
public interface ListenTlsConfig {
    /** PEM certificate chain users see at {@code listen}, the server's certificate first. */
    Optional<String> cert();

    /** PEM private key of {@code cert} (PKCS#8, or PKCS#1 for RSA). */
    Optional<String> key();

    /** PEM bundle of the CAs that sign user certificates; set, every user must present one. */
    Optional<String> clientCa();
}
