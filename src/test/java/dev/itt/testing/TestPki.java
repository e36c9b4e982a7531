package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificate authorities and certificates made at test time with the real {@code openssl} (Debian package
 * openssl), in a directory the test owns: no private key is ever committed. Keys are P-256 EC keys in PKCS#8 PEM.
 */
public final class TestPki {
    private final Path dir;
    private final String openssl = Peers.require("openssl", "openssl");

    /** A CA: its certificate (the trust bundle agents or servers are given) and its key. */
    public record Ca(String name, Path cert, Path key) {}

    /** A certificate and its key, issued by a {@link Ca}. */
    public record Issued(Path cert, Path key) {}

    public TestPki(Path dir) {
        this.dir = dir;
    }

    public Ca ca(String name) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new Ca(name, cert, key);
    }

    /** A certificate for {@code sans} ("DNS:localhost", "IP:127.0.0.1"), valid for two days. */
    public Issued issue(Ca ca, String name, String... sans) throws IOException, InterruptedException {
        return issue(ca, name, 2, sans);
    }

    /** A certificate whose validity ended before it began: expired whenever it is checked. */
    public Issued expired(Ca ca, String name, String... sans) throws IOException, InterruptedException {
        return issue(ca, name, -1, sans);
    }

    private Issued issue(Ca ca, String name, int days, String... sans) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        List<String> lines = new ArrayList<>(List.of("basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth,clientAuth"));
        if (sans.length > 0) {
            lines.add("subjectAltName=" + String.join(",", sans));
        }
        Files.write(ext, lines);
        run(openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        run(openssl, "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey",
                ca.key().toString(), "-CAcreateserial", "-out", cert.toString(), "-days", String.valueOf(days),
                "-extfile", ext.toString());
        return new Issued(cert, key);
    }

    private void run(String... command) throws IOException, InterruptedException {
        Peers.run(dir, command);
    }
}
