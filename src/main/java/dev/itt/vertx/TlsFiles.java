package dev.itt.vertx;

import dev.itt.config.FileWatcher;
import dev.itt.config.TlsSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
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
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.jboss.logging.Logger;

/**
 * The certificate, key and client CAs of one TLS listener (the {@code tunnel} port's {@code tls.*}, or the
 * {@code listen} side's {@code listen-tls.*}), as read from their files. The listener is given the bytes read, not
 * the paths, so what was checked is what it serves. {@link #poll()} (from {@link FileWatcher}'s thread) re-reads
 * the files and, when they changed and load, hands the new material to the running listener with
 * {@link NetServer#updateSSLOptions}: new connections get it, open ones keep the session they have. A new version
 * that does not load is logged once, and the material loaded before stays.
 */
public final class TlsFiles implements FileWatcher.Watched {
    private static final Logger LOG = Logger.getLogger(TlsFiles.class);

    private final Vertx vertx;
    private final String tunnel;
    private final String prefix;
    private final TlsSpec.Server spec;
    private final Duration handshakeTimeout;
    private volatile SSLOptions options;
    private volatile NetServer server;
    /** What the last poll saw, good or bad (a digest of the contents, or the problem): a change is acted on once. */
    private String seen;

    private TlsFiles(Vertx vertx, String tunnel, String prefix, TlsSpec.Server spec, Duration handshakeTimeout) {
        this.vertx = vertx;
        this.tunnel = tunnel;
        this.prefix = prefix;
        this.spec = spec;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Reads and checks the files now, for start-up.
     *
     * @param prefix the keys' group as the configuration names it: {@code tls} or {@code listen-tls}
     * @throws IllegalStateException naming the tunnel, the key and the file that cannot be used
     */
    public static TlsFiles load(Vertx vertx, String tunnel, String prefix, TlsSpec.Server spec,
            Duration handshakeTimeout) {
        TlsOptions.checkEngine(tunnel, spec.engine());
        TlsFiles files = new TlsFiles(vertx, tunnel, prefix, spec, handshakeTimeout);
        Contents contents = files.read();
        files.options = files.build(contents);
        files.seen = contents.digest();
        return files;
    }

    /** The material loaded last, with the TLS versions, cipher suites and handshake timeout of {@link TlsOptions}. */
    public SSLOptions options() {
        return options;
    }

    public TlsSpec.Server spec() {
        return spec;
    }

    /** The listener that serves this material; {@link #poll()} updates it from now on. */
    public void serve(NetServer listener) {
        this.server = listener;
    }

    @Override
    public String files() {
        return "'" + spec.cert() + "', '" + spec.key() + "'" + (spec.clientCa() == null ? "" : ", '" + spec.clientCa()
                + "'");
    }

    /** Re-reads the files; true if they changed, loaded, and were handed to the listener. */
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
            NetServer listener = server;
            if (listener != null) {
                // force: the new options may equal the old ones (the same bytes back after a bad version).
                // Vert.x 4.5 builds the new context on a worker; a connection accepted in those milliseconds finds
                // no context and is closed at once (docs/CONFIGURATION.md §8, Reload).
                listener.updateSSLOptions(loaded, true).onComplete(ar -> {
                    if (ar.succeeded()) {
                        LOG.infof("tunnel %s: %s re-read %s: new connections get the new certificate, open ones"
                                + " keep theirs", tunnel, prefix, files());
                    } else {
                        // a failed update leaves the listener without a context: put the old material back
                        options = before;
                        listener.updateSSLOptions(before, true);
                        LOG.errorf("tunnel %s: %s: the listener did not take the new certificate (%s); the one"
                                + " loaded before stays in use", tunnel, prefix, TlsOptions.describe(ar.cause()));
                    }
                });
            }
            return true;
        } catch (IllegalStateException e) {
            LOG.errorf("%s; the certificate and key loaded before stay in use until the files are fixed",
                    e.getMessage());
            return false;
        }
    }

    /** The bytes of every file, read together so a change between the reads shows as a change next time. */
    private record Contents(byte[] cert, byte[] key, byte[] clientCa) {
        String digest() {
            return FileWatcher.fingerprint(cert, key, clientCa);
        }
    }

    private Contents read() {
        return new Contents(read("cert", spec.cert()), read("key", spec.key()),
                spec.clientCa() == null ? null : read("client-ca", spec.clientCa()));
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
        PemKeyCertOptions keyCert = new PemKeyCertOptions().addCertValue(Buffer.buffer(c.cert()))
                .addKeyValue(Buffer.buffer(c.key()));
        try {
            matching(keyCert);
        } catch (Exception e) {
            throw new IllegalStateException("tunnel " + tunnel + ": " + prefix + ".cert '" + spec.cert() + "' and "
                    + prefix + ".key '" + spec.key() + "' cannot be loaded as a PEM certificate chain and its private"
                    + " key: " + message(e), e);
        }
        SSLOptions o = new SSLOptions().setKeyCertOptions(keyCert)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsOptions.PROTOCOLS))
                .setSslHandshakeTimeout(handshakeTimeout.toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        TlsOptions.CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
        if (c.clientCa() != null) {
            PemTrustOptions trust = new PemTrustOptions().addCertValue(Buffer.buffer(c.clientCa()));
            try {
                if (trust.getTrustManagerFactory(vertx).getTrustManagers().length == 0) {
                    throw new IllegalArgumentException("no certificate in it");
                }
            } catch (Exception e) {
                throw new IllegalStateException("tunnel " + tunnel + ": " + prefix + ".client-ca '" + spec.clientCa()
                        + "' cannot be loaded as PEM certificates: " + message(e), e);
            }
            o.setTrustOptions(trust);
        }
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
