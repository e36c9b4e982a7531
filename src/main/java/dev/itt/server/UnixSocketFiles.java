package dev.itt.server;

import dev.itt.config.Access;
import dev.itt.config.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Unix-socket listen paths. Netty's native bind deletes whatever file is at the path, so a second instance would
 * silently steal a live one's socket: before binding, a connect probe tells a live socket (refuse to start) from
 * a stale file (remove it).
 *
 * <p>A Unix-socket {@code listen} gets its {@code listen-mode} and {@code listen-group} before anyone can connect
 * to it. Neither Vert.x nor Netty lets us set the mode at bind time, and the umask is the whole process's (no
 * Java API sets it), so the socket is bound inside a fresh directory of its own that only this user may enter,
 * given its mode and group there, and then renamed into place: rename(2) is atomic within a file system, so the
 * path shows either no socket or the socket with its final mode and group, never the umask's.
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

    /**
     * Binds {@code server} to the {@code listen} socket {@code unix} with the mode and group of {@code access}
     * already applied when the path appears (see the class comment). Call on the server's event loop, after
     * {@link #prepare}.
     */
    static Future<Void> listenRestricted(NetServer server, String tunnel, Endpoint.Unix unix, Access access) {
        Path target = Path.of(unix.path()).toAbsolutePath();
        Path dir;
        try {
            dir = privateDirectoryBeside(target);
        } catch (IOException e) {
            return Future.failedFuture(new IllegalStateException("tunnel " + tunnel + ": cannot listen on listen"
                    + " address " + unix + ": cannot create a private directory in " + target.getParent() + " to bind"
                    + " in: " + e.getMessage(), e));
        }
        Path bound = dir.resolve("s");
        return server.listen(SocketAddress.domainSocketAddress(bound.toString())).<Void>transform(listened -> {
            try {
                if (listened.failed()) {
                    return Future.failedFuture(new IllegalStateException("tunnel " + tunnel + ": cannot listen on"
                            + " listen address " + unix + ": " + listened.cause().getMessage(), listened.cause()));
                }
                restrict(bound, tunnel, access);
                Files.move(bound, target, StandardCopyOption.ATOMIC_MOVE);
                return Future.succeededFuture();
            } catch (IOException | IllegalStateException | UnsupportedOperationException e) {
                return Future.failedFuture(e instanceof IllegalStateException ? e : new IllegalStateException(
                        "tunnel " + tunnel + ": cannot move the socket for listen " + unix + " into place: " + e, e));
            } finally {
                deleteQuietly(bound);
                deleteQuietly(dir);
            }
        });
    }

    private static Path privateDirectoryBeside(Path target) throws IOException {
        // A short name: a socket's whole path must fit in 107 bytes, and this one is bound below it.
        for (int attempt = 0; ; attempt++) {
            Path dir = target.resolveSibling(".itt-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
            try {
                return Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static void restrict(Path socket, String tunnel, Access access) {
        try {
            Files.setPosixFilePermissions(socket, access.listenMode());
        } catch (IOException e) {
            throw new IllegalStateException("tunnel " + tunnel + ": cannot apply listen-mode "
                    + PosixFilePermissions.toString(access.listenMode()) + ": " + e.getMessage(), e);
        }
        if (access.listenGroup() == null) {
            return;
        }
        try {
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(access.listenGroup());
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            throw new IllegalStateException("tunnel " + tunnel + ": listen-group '" + access.listenGroup()
                    + "' is not a group on this machine", e);
        } catch (IOException e) {
            throw new IllegalStateException("tunnel " + tunnel + ": cannot give the listen socket the group '"
                    + access.listenGroup() + "' (the process must be root or a member of it): " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left behind in the worst case: an empty directory only this user can enter
        }
    }
}
