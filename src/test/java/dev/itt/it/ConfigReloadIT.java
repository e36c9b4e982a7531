package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.IttProcess;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelProperties;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload of a packaged process: the file a Kubernetes ConfigMap is mounted as
 * ({@code config/application.properties} in the working directory) and a file named in
 * {@code quarkus.config.locations}, edited while users are connected and a download is half way.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfigReloadIT {
    private static final Duration START = Duration.ofSeconds(30);
    /** The bound on noticing an edit and applying it (the files are polled every second). */
    private static final Duration RELOAD = Duration.ofSeconds(2);
    private static final long DOWNLOAD = 64L << 20;

    /** A server end and its agent in one process, users on {@code listen}, the agent's upstream {@code upstream}. */
    private static String pair(String name, int listen, int tunnel, String upstream) {
        return TunnelProperties.pair("", "127.0.0.1", name, listen, tunnel, upstream);
    }

    private static void write(Path file, String content) throws IOException {
        TunnelProperties.replace(file, content);
    }

    private static void echoes(int port, String text) throws Exception {
        try (Socket user = Users.connect(port)) {
            user.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            user.shutdownOutput();
            assertEquals(text, new String(Users.readAll(user.getInputStream()), StandardCharsets.UTF_8));
        }
    }

    /** Waits until the tunnel at {@code port} echoes, within {@code timeout} of now; returns how long it took. */
    private static long servesWithin(int port, Duration timeout, long since) {
        Await.until("a tunnel echoing on " + port, timeout.minusNanos(System.nanoTime() - since), () -> {
            try {
                echoes(port, "ping " + port);
                return true;
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private static void refusedWithin(int port, Duration timeout, long since) {
        Await.until("nothing listening on " + port, timeout.minusNanos(System.nanoTime() - since), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return false;
            } catch (ConnectException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void editsOfTheWorkingDirectoryFileAddChangeAndRemoveTunnelsAndLeaveTheOthersAlone(@TempDir Path dir)
            throws Exception {
        int a = Await.freePort();
        int aTunnel = Await.freePort();
        int s = Await.freePort();
        int sTunnel = Await.freePort();
        int b = Await.freePort();
        int bMoved = Await.freePort();
        int bTunnel = Await.freePort();
        int c = Await.freePort();
        int cTunnel = Await.freePort();
        Path file = dir.resolve("config/application.properties");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                Target source = Target.tcp(Target.Mode.SOURCE, DOWNLOAD)) {
            String unchanged = pair("a", a, aTunnel, echo.address()) + pair("s", s, sTunnel, source.address());
            write(file, unchanged + pair("b", b, bTunnel, echo.address()));
            try (IttProcess itt = IttProcess.startIn(dir, dir.resolve("itt.log"), Map.of("QUARKUS_HTTP_PORT", "0"))
                    .awaitLog("tunnel b-agent: connected to server", START)
                    .awaitLog("tunnel a-agent: connected to server", START)
                    .awaitLog("tunnel s-agent: connected to server", START);
                    Socket held = Users.connect(a);
                    Socket download = Users.connect(s)) {
                // a stream held open through a, and a download through s stalled half way (flow control holds
                // the rest) while the configuration changes under them
                held.getOutputStream().write("before ".getBytes(StandardCharsets.UTF_8));
                assertEquals("before ", new String(held.getInputStream().readNBytes(7), StandardCharsets.UTF_8));
                MessageDigest digest = Target.sha256();
                InputStream in = download.getInputStream();
                digest.update(in.readNBytes(1 << 20));
                int sessions = itt.count("connected to server");

                long edited = System.nanoTime();
                write(file, unchanged + pair("b", bMoved, bTunnel, echo.address())
                        + pair("c", c, cTunnel, echo.address()));
                itt.awaitLog("configuration changed: added c, c-agent; changed b", RELOAD);
                long cMillis = servesWithin(c, START, edited);
                long bMillis = servesWithin(bMoved, START, edited);
                refusedWithin(b, RELOAD, System.nanoTime());
                System.out.printf("reload: c serving %d ms, b on its new port %d ms after the edit%n", cMillis,
                        bMillis);
                assertTrue(cMillis <= RELOAD.toMillis(), "c served after " + cMillis + " ms:\n" + itt.log());

                // a, s and their agents were not touched: same sessions, the held stream and the download go on
                held.getOutputStream().write("after".getBytes(StandardCharsets.UTF_8));
                held.shutdownOutput();
                assertEquals("after", new String(Users.readAll(held.getInputStream()), StandardCharsets.UTF_8));
                digest.update(Users.readAll(in));
                assertArrayEquals(Target.sourceDigest(DOWNLOAD), digest.digest(), "the download's bytes");
                String log = itt.log();
                assertEquals(0, itt.count("tunnel a: server end stopped") + itt.count("tunnel a-agent: agent stopped")
                        + itt.count("tunnel s: server end stopped") + itt.count("tunnel s-agent: agent stopped"),
                        log);
                // b's agent was unchanged: its session was lost with b's server end and came back to the new one
                assertTrue(itt.count("connected to server") > sessions, log);

                // a broken edit: every problem reported, nothing changed
                write(file, unchanged + pair("b", bMoved, bTunnel, echo.address())
                        + pair("c", c, cTunnel, echo.address())
                        + "itt.tunnels.c.max-connections=many\nitt.tunnels.c.listn=typo\n");
                itt.awaitLog("configuration change not applied, the tunnels run as before", RELOAD);
                itt.awaitLog("itt.tunnels.c.max-connections", RELOAD);
                itt.awaitLog("itt.tunnels.c.listn", RELOAD);
                // one the mapping takes but the tunnel's own check refuses, as at start-up
                write(file, unchanged + pair("b", bMoved, bTunnel, echo.address())
                        + pair("c", c, cTunnel, echo.address()) + "itt.tunnels.d.listen=nowhere\n");
                itt.awaitLog("itt.tunnels.d.listen: 'nowhere' has no port", RELOAD);
                assertEquals(2, itt.count("configuration change not applied"), itt.log());
                echoes(c, "c still up");
                echoes(bMoved, "b still up");

                // c removed: its port closes, the others stay
                edited = System.nanoTime();
                write(file, unchanged + pair("b", bMoved, bTunnel, echo.address()));
                itt.awaitLog("configuration changed: removed c, c-agent", RELOAD);
                refusedWithin(c, RELOAD, edited);
                echoes(a, "a still up");
                assertThrows(IOException.class, () -> echoes(c, "c gone"));
            }
        }
    }

    @Test
    void aFileNamedInConfigLocationsIsWatchedTooAndTheWorkingDirectoryFileOnceItAppears(@TempDir Path dir)
            throws Exception {
        int x = Await.freePort();
        int xMoved = Await.freePort();
        int xTunnel = Await.freePort();
        int y = Await.freePort();
        int yTunnel = Await.freePort();
        Path extra = dir.resolve("mounted/tunnels.properties");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            write(extra, pair("x", x, xTunnel, echo.address()));
            try (IttProcess itt = IttProcess.startIn(dir, dir.resolve("itt.log"), Map.of("QUARKUS_HTTP_PORT", "0",
                    "QUARKUS_CONFIG_LOCATIONS", extra.toString()))
                    .awaitLog("tunnel x-agent: connected to server", START)) {
                echoes(x, "through x");
                long edited = System.nanoTime();
                write(extra, pair("x", xMoved, xTunnel, echo.address()));
                itt.awaitLog("configuration changed: changed x", RELOAD);
                servesWithin(xMoved, START, edited);
                refusedWithin(x, RELOAD, System.nanoTime());

                // config/application.properties did not exist at start-up: mounted now, it is read
                edited = System.nanoTime();
                write(dir.resolve("config/application.properties"), pair("y", y, yTunnel, echo.address()));
                itt.awaitLog("configuration changed: added y, y-agent", RELOAD);
                servesWithin(y, START, edited);
                echoes(xMoved, "x untouched");
            }
        }
    }
}
