package dev.itt.server;

import dev.itt.config.Endpoint;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix-socket listen paths. Netty's native bind deletes whatever file is at the path, so a second instance would
 * silently steal a live one's socket: before binding, a connect probe tells a live socket (refuse to start) from
 * a stale file (remove it).
 */
final class UnixSocketFiles {
    private UnixSocketFiles() {}

    static void prepare(Vertx vertx, String tunnel, String key, Endpoint endpoint) {
        if (!(endpoint instanceof Endpoint.Unix unix)) {
            return;
        }
        if (!vertx.isNativeTransportEnabled()) {
            throw new IllegalStateException("tunnel " + tunnel + ": " + key + " " + endpoint
                    + " needs the native epoll transport, which is not available: "
                    + vertx.unavailableNativeTransportCause());
        }
        Path path = Path.of(unix.path());
        if (!Files.exists(path)) {
            return;
        }
        if (Files.isRegularFile(path) || Files.isDirectory(path)) {
            throw new IllegalStateException("tunnel " + tunnel + ": " + key + " " + endpoint
                    + " is a file or directory, not a socket: refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IllegalStateException("tunnel " + tunnel + ": " + key + " " + endpoint
                    + " is in use: another process is listening there");
        } catch (IOException stale) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new IllegalStateException("tunnel " + tunnel + ": cannot remove stale socket file " + path
                        + ": " + e.getMessage(), e);
            }
        }
    }

    static void remove(Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Unix unix) {
            try {
                Files.deleteIfExists(Path.of(unix.path()));
            } catch (IOException e) {
                // best effort on the way out; the next start removes a stale file anyway
            }
        }
    }
}
