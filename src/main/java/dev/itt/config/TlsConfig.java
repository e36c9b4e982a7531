package dev.itt.config;

import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * TLS on the tunnel connection ({@code itt.tunnels.NAME.tls.*}). A server end sets {@code cert} and {@code key}
 * (and {@code client-ca} to require agent certificates); an agent sets {@code enabled} or any of its other keys.
 * {@link TlsSpec} checks the combination and the files.
 */
public interface TlsConfig {
    /** Agent: TLS to the server end; implied by any other of the agent's {@code tls.*} keys. */
    Optional<Boolean> enabled();

    /** PEM certificate chain: the server end's certificate, or the agent's client certificate. */
    Optional<String> cert();

    /** PEM private key of {@code cert} (PKCS#8, or PKCS#1 for RSA). */
    Optional<String> key();

    /** Server end: PEM bundle of the CAs that sign agent certificates; set, every agent must present one. */
    Optional<String> clientCa();

    /** Agent: PEM bundle of the CAs trusted to sign the server end's certificate; unset, the JVM's trust store. */
    Optional<String> trust();

    /** Agent: the name the server end's certificate must carry, also sent as SNI; unset, the downstream host. */
    Optional<String> serverName();

    /**
     * Both ends: the TLS implementation of every TLS connection of this end (the tunnel connection, and a server
     * end's {@code listen-tls}): {@code openssl} (BoringSSL, shipped with ITT) or {@code jdk} (the JVM's own).
     */
    @WithDefault("openssl")
    String engine();
}
