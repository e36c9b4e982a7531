package dev.itt.vertx;

import dev.itt.config.FileWatcher;
import dev.itt.config.TlsSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.jboss.logging.Logger;

/**
 * The TLS material of one end's TLS side, as read from its files: a server end's listener (the {@code tunnel}
 * port's {@code tls.*}: certificate, key and client CAs; or the {@code listen} side's {@code listen-tls.*}), or an
 * agent's dial of {@code downstream} ({@code tls.*}: the trusted CAs, and a client certificate and key). Vert.x is
 * given the bytes read, not the paths, so what was checked is what it uses. {@link #poll()} (from
 * {@link FileWatcher}'s thread) re-reads the files and, when they changed and load, hands the new material to every
 * listener or client that uses it with {@code updateSSLOptions}: new connections get it, open ones keep the
 * session they have. A new version that does not load is logged once, and the material loaded before stays.
 */
public final class TlsFiles implements FileWatcher.Watched {
    private static final Logger LOG = Logger.getLogger(TlsFiles.class);

    /** A listener or a client that takes new material: {@code NetServer} and {@code NetClient} both do. */
    @FunctionalInterface
    public interface User {
        Future<Boolean> updateSSLOptions(SSLOptions options, boolean force);
    }

    private final Vertx vertx;
    private final String tunnel;
    private final String prefix;
    /** This end's certificate and key (both null for an agent without a client certificate). */
    private final Path cert;
    private final Path key;
    /** The CAs peers' certificates must chain to (null: a server asks for none, an agent trusts the JVM's store). */
    private final Path cas;
    /** How the configuration names {@link #cas}: {@code client-ca} or {@code trust}. */
    private final String casKey;
    private final TlsSpec.Engine engine;
    private final Duration handshakeTimeout;
    private final List<User> users = new CopyOnWriteArrayList<>();
    private volatile SSLOptions options;
    /** What the last poll saw, good or bad (a digest of the contents, or the problem): a change is acted on once. */
    private String seen;

    private TlsFiles(Vertx vertx, String tunnel, String prefix, Path cert, Path key, Path cas, String casKey,
            TlsSpec.Engine engine, Duration handshakeTimeout) {
        this.engine = engine;
        this.vertx = vertx;
        this.tunnel = tunnel;
        this.prefix = prefix;
        this.cert = cert;
        this.key = key;
        this.cas = cas;
        this.casKey = casKey;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Reads and checks a server end's files now, for start-up.
     *
     * @param prefix the keys' group as the configuration names it: {@code tls} or {@code listen-tls}
     * @throws IllegalStateException naming the tunnel, the key and the file that cannot be used
     */
    public static TlsFiles load(Vertx vertx, String tunnel, String prefix, TlsSpec.Server spec,
            Duration handshakeTimeout) {
        return new TlsFiles(vertx, tunnel, prefix, spec.cert(), spec.key(), spec.clientCa(), "client-ca",
                spec.engine(), handshakeTimeout).loaded();
    }

    /**
     * Reads and checks an agent's files now, for start-up.
     *
     * @throws IllegalStateException naming the tunnel, the key and the file that cannot be used
     */
    public static TlsFiles load(Vertx vertx, String tunnel, TlsSpec.Agent spec, Duration handshakeTimeout) {
        return new TlsFiles(vertx, tunnel, "tls", spec.cert(), spec.key(), spec.trust(), "trust", spec.engine(),
                handshakeTimeout).loaded();
    }

    private TlsFiles loaded() {
        TlsOptions.checkEngine(tunnel, engine);
        Contents contents = read();
        options = build(contents);
        seen = contents.digest();
        return this;
    }

    /**
     * The material loaded last, with the TLS versions, cipher suites and handshake timeout of {@link TlsOptions};
     * no key certificate where there is no certificate, no trust options where there are no CAs.
     */
    public SSLOptions options() {
        return options;
    }

    /** The TLS implementation to serve or dial this material with ({@code tls.engine}). */
    public TlsSpec.Engine engine() {
        return engine;
    }

    /** {@code user} is given each new version {@link #poll()} loads from now on. */
    public void usedBy(User user) {
        users.add(user);
    }

    @Override
    public String files() {
        return Stream.of(cert, key, cas).filter(f -> f != null).map(f -> "'" + f + "'")
                .collect(Collectors.joining(", "));
    }

    /** Re-reads the files; true if they changed, loaded, and were handed to the listeners or clients. */
    @Override
    public synchronized boolean poll() {
        Contents contents;
        String now;
        IllegalStateException problem = null;
        try {
            contents = read();
            now = contents.digest();
        } catch (IllegalStateException e) {
            contents = null;
            problem = e;
            now = e.getMessage();
        }
        if (now.equals(seen)) {
            return false;
        }
        seen = now;
        try {
            if (problem != null) {
                throw problem;
            }
            SSLOptions loaded = build(contents);
            SSLOptions before = options;
            options = loaded;
            for (User user : users) {
                // force: the new options may equal the old ones (the same bytes back after a bad version).
                // Vert.x 4.5 builds the new context on a worker; a connection accepted in those milliseconds finds
                // no context and is closed at once (docs/CONFIGURATION.md §8, Reload).
                user.updateSSLOptions(loaded, true).onComplete(ar -> {
                    if (ar.succeeded()) {
                        LOG.infof("tunnel %s: %s re-read %s: new connections get the new %s, open ones keep"
                                + " theirs", tunnel, prefix, files(), cert != null ? "certificate" : "trusted CAs");
                    } else {
                        // a failed update leaves the listener without a context: put the old material back
                        options = before;
                        user.updateSSLOptions(before, true);
                        LOG.errorf("tunnel %s: %s: the new files were not taken (%s); the ones loaded before stay"
                                + " in use", tunnel, prefix, TlsOptions.describe(ar.cause()));
                    }
                });
            }
            return true;
        } catch (IllegalStateException e) {
            LOG.errorf("%s; the %s loaded before stay in use until the files are fixed", e.getMessage(),
                    cert != null ? "certificate and key" : "trusted CAs");
            return false;
        }
    }

    /** The bytes of every file, read together so a change between the reads shows as a change next time. */
    private record Contents(byte[] cert, byte[] key, byte[] cas) {
        String digest() {
            return FileWatcher.fingerprint(cert, key, cas);
        }
    }

    private Contents read() {
        return new Contents(cert == null ? null : read("cert", cert), key == null ? null : read("key", key),
                cas == null ? null : read(casKey, cas));
    }

    private byte[] read(String key, Path file) {
        try {
            return Files.readAllBytes(file); // follows symlinks, as a Kubernetes Secret volume needs
        } catch (IOException e) {
            throw new IllegalStateException("tunnel " + tunnel + ": " + prefix + "." + key + " '" + file
                    + "' cannot be read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                            : " " + e.getMessage()), e);
        }
    }

    private SSLOptions build(Contents c) {
        SSLOptions o = new SSLOptions()
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsOptions.PROTOCOLS))
                .setSslHandshakeTimeout(handshakeTimeout.toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        if (c.cert() != null) {
            PemKeyCertOptions keyCert = new PemKeyCertOptions().addCertValue(Buffer.buffer(c.cert()))
                    .addKeyValue(Buffer.buffer(c.key()));
            try {
                matching(keyCert);
            } catch (Exception e) {
                throw new IllegalStateException("tunnel " + tunnel + ": " + prefix + ".cert '" + cert + "' and "
                        + prefix + ".key '" + key + "' cannot be loaded as a PEM certificate chain and its private"
                        + " key: " + message(e), e);
            }
            o.setKeyCertOptions(keyCert);
        }
        if (c.cas() != null) {
            PemTrustOptions trust = new PemTrustOptions().addCertValue(Buffer.buffer(c.cas()));
            try {
                if (trust.getTrustManagerFactory(vertx).getTrustManagers().length == 0) {
                    throw new IllegalArgumentException("no certificate in it");
                }
            } catch (Exception e) {
                throw new IllegalStateException("tunnel " + tunnel + ": " + prefix + "." + casKey + " '" + cas
                        + "' cannot be loaded as PEM certificates: " + message(e), e);
            }
            o.setTrustOptions(trust);
        }
        TlsOptions.CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
        return o;
    }

    /**
     * Loads the pair as Vert.x will and checks that the key belongs to the certificate: a writer that replaces the
     * two files one after the other must not have a certificate served with the old key in between.
     */
    private void matching(PemKeyCertOptions keyCert) throws Exception {
        for (KeyManager m : keyCert.getKeyManagerFactory(vertx).getKeyManagers()) {
            if (m instanceof X509KeyManager x) {
                for (String type : new String[] {"EC", "RSA", "EdDSA", "Ed25519"}) {
                    String[] aliases = x.getServerAliases(type, null);
                    if (aliases == null) {
                        continue;
                    }
                    for (String alias : aliases) {
                        check(x.getPrivateKey(alias), x.getCertificateChain(alias));
                    }
                }
            }
        }
    }

    private static void check(PrivateKey key, X509Certificate[] chain) throws GeneralSecurityException {
        if (key == null || chain == null || chain.length == 0) {
            return;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // a key type without a known signature: the TLS handshake will tell
        }
        byte[] probe = "itt: does this key belong to this certificate?".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(probe);
        byte[] signature = s.sign();
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(chain[0].getPublicKey());
        v.update(probe);
        if (!v.verify(signature)) {
            throw new IllegalArgumentException("the private key does not belong to the first certificate");
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
