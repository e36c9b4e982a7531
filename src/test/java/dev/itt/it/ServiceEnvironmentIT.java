package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.IttProcess;
import dev.itt.testing.Target;
import dev.itt.testing.Users;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged program as a service runs it: configured by environment variables alone beside the ones Kubernetes
 * injects, failing start-up with a list of problems rather than a stack trace, and {@code itt check}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServiceEnvironmentIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final String TOKEN = "Svc-Token-9fK2mQ7xW4bN8cV1zL6p";
    /** What Kubernetes puts into every pod of a namespace that has a Service named itt. */
    private static final Map<String, String> SERVICE_LINKS = Map.of(
            "ITT_SERVICE_HOST", "10.0.0.1",
            "ITT_SERVICE_PORT", "7000",
            "ITT_PORT", "tcp://10.0.0.1:7000",
            "ITT_PORT_7000_TCP", "tcp://10.0.0.1:7000",
            "ITT_PORT_7000_TCP_ADDR", "10.0.0.1",
            "ITT_PORT_7000_TCP_PORT", "7000",
            "ITT_PORT_7000_TCP_PROTO", "tcp");

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(SERVICE_LINKS);
        env.put("QUARKUS_HTTP_PORT", "0");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** A start-up failure as an operator should see it: the problems, no Java stack trace. */
    private static void assertNoStackTrace(String log) {
        assertFalse(log.contains("\tat ") || log.matches("(?s).*\\n\\s+at [a-z]+\\..*"), "a stack trace:\n" + log);
        assertFalse(log.contains("Exception"), "an exception's name:\n" + log);
        assertFalse(log.contains("Failed to start application"), log);
    }

    @Test
    void jsonLogLinesForALogCollectorWithOneVariable(@TempDir Path dir) throws Exception {
        try (IttProcess server = IttProcess.start(dir.resolve("server.log"), env(
                "QUARKUS_LOG_CONSOLE_JSON", "true",
                "ITT_TUNNELS_WEB_LISTEN", "127.0.0.1:0",
                "ITT_TUNNELS_WEB_TUNNEL", "127.0.0.1:0")).awaitLog("server end listening", START)) {
            String listening = server.log().lines().filter(l -> l.contains("server end listening")).findFirst()
                    .orElseThrow();
            io.vertx.core.json.JsonObject line = new io.vertx.core.json.JsonObject(listening);
            assertTrue(line.getString("message").startsWith("tunnel web: server end listening"), listening);
            assertEquals("INFO", line.getString("level"), listening);
            assertEquals("dev.itt.server.ServerEnd", line.getString("loggerName"), listening);
        }
        // without the variable, lines for a person at a terminal (the extension alone would turn JSON on)
        try (IttProcess plain = IttProcess.start(dir.resolve("plain.log"), env(
                "ITT_TUNNELS_WEB_LISTEN", "127.0.0.1:0",
                "ITT_TUNNELS_WEB_TUNNEL", "127.0.0.1:0")).awaitLog("server end listening", START)) {
            String listening = plain.log().lines().filter(l -> l.contains("server end listening")).findFirst()
                    .orElseThrow();
            assertTrue(listening.matches(
                    "\\d\\d:\\d\\d:\\d\\d,\\d{3} INFO  \\[[^\\]]+\\] tunnel web: server end listening.*"), listening);
        }
    }

    @Test
    void aDashedTunnelFromVariablesAloneBesideKubernetesServiceLinksCarriesBytes(@TempDir Path dir) throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.start(dir.resolve("server.log"), env(
                        "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:0",
                        "ITT_TUNNELS_MY_DB_TUNNEL", "127.0.0.1:0",
                        "ITT_TUNNELS_MY_DB_TOKEN", TOKEN,
                        "ITT_TUNNELS_MY_DB_MAX_CONNECTIONS_PER_SOURCE", "4"))
                        .awaitLog("server end listening", START);
                IttProcess agent = IttProcess.start(dir.resolve("agent.log"), env(
                        "ITT_TUNNELS_MY_DB_DOWNSTREAM", "127.0.0.1:" + server.port("agents"),
                        "ITT_TUNNELS__MY_DB__UPSTREAM", echo.address(), // the quoted form names the same tunnel
                        "ITT_TUNNELS_MY_DB_TOKEN", TOKEN,
                        "ITT_TUNNELS_MY_DB_RECONNECT_MIN", "20ms")).awaitLog("connected to server", START);
                Socket user = Users.connect(server.port("users"))) {
            user.getOutputStream().write("through my-db".getBytes());
            user.shutdownOutput();
            assertEquals("through my-db", new String(Users.readAll(user.getInputStream())));
            for (IttProcess p : new IttProcess[] {server, agent}) {
                assertTrue(p.log().contains("my-db"), "the tunnel is my-db:\n" + p.log());
                assertFalse(p.log().contains("ITT_PORT") || p.log().contains("ITT_SERVICE"), p.log());
                assertFalse(p.log().contains(TOKEN), p.log());
            }
        }
    }

    @Test
    void configurationAndStartUpErrorsListEveryProblemAndExitOneWithoutAStackTrace(@TempDir Path dir)
            throws Exception {
        try (IttProcess bad = IttProcess.start(dir.resolve("bad.log"), env(
                "ITT_TUNNELS_MY_DB_LISTEN", "nowhere",
                "ITT_TUNNELS_MY_DB_TUNNEL", "127.0.0.1:70000",
                "ITT_TUNNELS_MY_DB_LISTN", "typo"))) {
            assertEquals(1, bad.waitForExit(START), bad.log());
            String log = bad.log();
            assertTrue(log.contains("invalid ITT configuration, 3 problems:"), log);
            assertTrue(log.contains("  - itt.tunnels.my-db.listen: 'nowhere' has no port"), log);
            assertTrue(log.contains("  - itt.tunnels.my-db.tunnel: '127.0.0.1:70000' has port 70000"), log);
            assertTrue(log.contains("  - environment variable ITT_TUNNELS_MY_DB_LISTN sets no ITT key"), log);
            assertNoStackTrace(log);
        }
        try (IttProcess none = IttProcess.start(dir.resolve("none.log"), env())) {
            assertEquals(1, none.waitForExit(START), none.log());
            assertTrue(none.log().contains("no tunnels configured"), none.log());
            assertNoStackTrace(none.log());
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                IttProcess busy = IttProcess.start(dir.resolve("busy.log"), env(), "server",
                        "-listen", "127.0.0.1:" + taken.getLocalPort(), "-tunnel", "127.0.0.1:0")) {
            assertEquals(1, busy.waitForExit(START), busy.log());
            assertTrue(busy.log().contains("cannot start tunnels:"), busy.log());
            assertTrue(busy.log().contains("127.0.0.1:" + taken.getLocalPort()), busy.log());
            assertNoStackTrace(busy.log());
        }
    }

    @Test
    void aUsageErrorExitsTwoNamingTheFlag(@TempDir Path dir) throws Exception {
        try (IttProcess bad = IttProcess.start(dir.resolve("legacy.log"), env(), "server", "-listen", ":1",
                "-tunnel", ":2", "-protocol", "legacy", "-token", "x")) {
            assertEquals(2, bad.waitForExit(START), bad.log());
            assertTrue(bad.log().contains("itt: -token: the legacy protocol has no authentication"), bad.log());
            assertFalse(bad.log().contains("itt.tunnels.itt"), bad.log());
            assertNoStackTrace(bad.log());
        }
    }

    @Test
    void checkPrintsTheResolvedTunnelsWithoutOpeningAnythingAndNeverAToken(@TempDir Path dir) throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        // a real start would fail on these: the port is taken and the proxy's password must not show either
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                IttProcess check = IttProcess.start(dir.resolve("check.log"), env(
                        "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:" + taken.getLocalPort(),
                        "ITT_TUNNELS_MY_DB_TUNNEL", "127.0.0.1:" + taken.getLocalPort(),
                        "ITT_TUNNELS_MY_DB_TOKEN", TOKEN,
                        "ITT_TUNNELS_EDGE_DOWNSTREAM", "proxy:server.example:7000",
                        "ITT_TUNNELS_EDGE_UPSTREAM", "127.0.0.1:5432",
                        "ITT_TUNNELS_EDGE_PROXY", "socks5h://alice:Pr0xy-Secret@127.0.0.1:1080",
                        "ITT_TUNNELS_EDGE_TOKEN_FILE", tokens.toString(),
                        "QUARKUS_LOG_LEVEL", "DEBUG"),
                        "check", "client", "-downstream", "127.0.0.1:7000", "-upstream", "127.0.0.1:22", "-token",
                        TOKEN, "-loglevel", "trace")) {
            assertEquals(0, check.waitForExit(START), check.log());
            String log = check.log();
            assertTrue(log.contains("3 tunnels, configuration valid"), log);
            assertTrue(log.contains("tunnel my-db: server end, users connect to 127.0.0.1:" + taken.getLocalPort()),
                    log);
            assertTrue(log.contains("tunnel edge: agent, dials the server end at proxy:server.example:7000"), log);
            assertTrue(log.contains("tunnel itt: agent"), "the flags' tunnel:\n" + log);
            assertTrue(log.matches("(?s).*\\n  token += \\*\\*\\*\\*  \\[environment].*"), log);
            assertTrue(log.matches("(?s).*\\n  token-file += " + java.util.regex.Pattern.quote(tokens.toString())
                    + "  \\[environment].*"), log);
            assertTrue(log.matches("(?s).*\\n  keep-alive-interval += 10s  \\[default].*"), log);
            assertTrue(log.contains("socks5h://alice:****@127.0.0.1:1080"), log);
            assertFalse(log.contains(TOKEN), "a token in the output of check:\n" + log);
            assertFalse(log.contains("Pr0xy-Secret"), log);
            assertFalse(log.contains("listening"), "check opens nothing:\n" + log);
            assertFalse(log.contains("Listening on:"), log);
        }
        try (IttProcess invalid = IttProcess.start(dir.resolve("invalid.log"), env(
                "ITT_TUNNELS_MY_DB_LISTEN", "127.0.0.1:1",
                "ITT_TUNNELS_MY_DB_UPSTREAM", "127.0.0.1:2",
                "ITT_TUNNELS_OTHER_TUNEL", "127.0.0.1:3"), "check")) {
            assertEquals(1, invalid.waitForExit(START), invalid.log());
            assertTrue(invalid.log().contains("tunnel 'my-db' mixes server keys"), invalid.log());
            assertTrue(invalid.log().contains("ITT_TUNNELS_OTHER_TUNEL sets no ITT key"), invalid.log());
            assertNoStackTrace(invalid.log());
        }
    }
}
