package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Unix-socket listen of a real server end gets listen-mode and listen-group, is still the live listener once
 * moved into place (a user's bytes come back through the tunnel), and leaves nothing else in its directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnixListenModeTest {

    /** A group this process may give a file: one other than its own when it is root (as here), else its own. */
    private static String usableGroup(Path dir) throws IOException {
        Path probe = Files.createFile(dir.resolve("probe"));
        String own = Files.readAttributes(probe, PosixFileAttributes.class).group().getName();
        Files.delete(probe);
        boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        if (root) {
            for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                String name = line.split(":", 2)[0];
                if (!name.equals(own)) {
                    return name;
                }
            }
        }
        return own;
    }

    private static boolean echoes(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(new byte[] {7, 8, 9}));
            ByteBuffer back = ByteBuffer.allocate(3);
            while (back.hasRemaining() && ch.read(back) >= 0) {
                // until the three bytes are back
            }
            return back.position() == 3 && back.get(0) == 7 && back.get(2) == 9;
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theSocketHasTheDefaultMode0660AndStillListensAfterTheMove(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("users.sock");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture()
                .listen("unix:" + socket).access(TestConfigs.access(Map.of("listen", "unix:" + socket))).startServer()) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals(List.of("users.sock"), names(dir), "the private bind directory is gone");
            t.connectedAgent(echo.address());
            assertTrue(echoes(socket), "a user reaches the upstream through the moved socket");
        }
        assertTrue(Files.notExists(socket), "removed on stop");
    }

    @Test
    void listenModeAndListenGroupAreApplied(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("docker.sock");
        String group = usableGroup(dir);
        try (TunnelFixture t = new TunnelFixture().listen("unix:" + socket).access(TestConfigs.access(Map.of(
                "listen", "unix:" + socket, "listen-mode", "0600", "listen-group", group))).startServer()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals(group, Files.readAttributes(socket, PosixFileAttributes.class).group().getName());
        }
    }

    @Test
    void anUnknownGroupFailsTheStartNamingTheKey(@TempDir Path dir) {
        Path socket = dir.resolve("u.sock");
        TunnelFixture t = new TunnelFixture().listen("unix:" + socket).access(TestConfigs.access(Map.of(
                "listen", "unix:" + socket, "listen-group", "no-such-group-itt")));
        try (t) {
            AssertionError e = assertThrows(AssertionError.class, t::startServer);
            assertTrue(e.getMessage().contains("tunnel t: listen-group 'no-such-group-itt' is not a group"),
                    e.getMessage());
            assertTrue(Files.notExists(socket), "no socket left at the path");
            t.server = null; // it never started: nothing to stop
        }
    }
}
