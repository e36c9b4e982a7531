package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Path;

/** The real curl, fetching a URL into a file. */
public final class Curl {
    private Curl() {}

    /** Downloads {@code url} to {@code out}; returns "status bytes". */
    public static String get(String url, Path out) throws IOException, InterruptedException {
        String curl = Peers.require("curl", "curl");
        return Peers.run(out.getParent(), curl, "-sS", "--max-time", "60", "-o", out.toString(), "-w",
                "%{http_code} %{size_download}", url).trim();
    }

    /** Downloads {@code url} over TLS, trusting only the CA certificates in {@code caCert}; returns "status bytes". */
    public static String getTls(String url, Path caCert, Path out) throws IOException, InterruptedException {
        String curl = Peers.require("curl", "curl");
        return Peers.run(out.getParent(), curl, "-sS", "--max-time", "60", "--cacert", caCert.toString(), "-o",
                out.toString(), "-w", "%{http_code} %{size_download}", url).trim();
    }
}
