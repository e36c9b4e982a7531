package dev.itt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flag parsing, before Quarkus starts: the seed's flags become one tunnel's properties. */
class CliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Cli.Launch parse(String... args) {
        return Cli.parse(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void serverFlagsBecomeTunnelProperties() {
        Cli.Launch l = parse("server", "-listen", "unix:/tmp/d.sock", "-tunnel", "0.0.0.0:7000", "-token", "t");
        assertNull(l.exitCode());
        assertEquals("unix:/tmp/d.sock", l.properties().get("itt.tunnels.itt.listen"));
        assertEquals("0.0.0.0:7000", l.properties().get("itt.tunnels.itt.tunnel"));
        assertEquals("t", l.properties().get("itt.tunnels.itt.token"));
        assertEquals("false", l.properties().get("quarkus.http.host-enabled"), "no HTTP port for CLI runs");
        assertEquals("INFO", l.properties().get("quarkus.log.category.\"dev.itt\".level"));
    }

    @Test
    void clientFlagsTakeOneDashOrTwo() {
        Cli.Launch l = parse("client", "--downstream", "server:7000", "-upstream", "proxy:db:5432", "-proxy",
                "socks5h://p:1080", "-loglevel", "TRACE");
        assertNull(l.exitCode());
        assertEquals("proxy:db:5432", l.properties().get("itt.tunnels.itt.upstream"));
        assertEquals("socks5h://p:1080", l.properties().get("itt.tunnels.itt.proxy"));
        assertEquals("TRACE", l.properties().get("quarkus.log.category.\"dev.itt\".level"));
    }

    @Test
    void theProtocolIsSetOnlyWhenGivenSoTheConfigurationsDefaultOtherwiseApplies() {
        assertNull(parse("server", "-listen", ":1", "-tunnel", ":2").properties().get("itt.tunnels.itt.protocol"));
        assertEquals("legacy", parse("client", "-downstream", "s:1", "-upstream", "u:2", "-protocol", "legacy")
                .properties().get("itt.tunnels.itt.protocol"));
        Cli.Launch bad = parse("server", "-listen", ":1", "-tunnel", ":2", "-protocol", "v5");
        assertEquals(2, bad.exitCode());
        assertTrue(err.toString().contains("'v5' is not a protocol"), err.toString());
    }

    @Test
    void quieterLevelsQuietenTheWholeProcess() {
        Cli.Launch l = parse("server", "-listen", ":1", "-tunnel", ":2", "-loglevel", "warning");
        assertEquals("WARN", l.properties().get("quarkus.log.level"));
        assertEquals("ERROR", parse("server", "-listen", ":1", "-tunnel", ":2", "-loglevel", "error").properties()
                .get("quarkus.log.level"));
    }

    @Test
    void anUnknownLevelExitsTwoNamingTheFlag() {
        Cli.Launch l = parse("client", "-downstream", "s:1", "-upstream", "u:2", "-loglevel", "loud");
        assertEquals(2, l.exitCode());
        assertTrue(err.toString().contains("'-loglevel'") || err.toString().contains("'--loglevel'"), err.toString());
        assertTrue(err.toString().contains("'loud' is not a log level"), err.toString());
    }

    @Test
    void aMalformedAddressExitsTwoNamingTheFlag() {
        Cli.Launch l = parse("server", "-listen", "nowhere", "-tunnel", ":7000");
        assertEquals(2, l.exitCode());
        assertTrue(err.toString().contains("-listen: 'nowhere' has no port"), err.toString());
    }

    @Test
    void aMissingFlagExitsTwo() {
        assertEquals(2, parse("client", "-downstream", "s:1").exitCode());
        assertTrue(err.toString().contains("-upstream"), err.toString());
    }

    @Test
    void helpPrintsEveryFlagWithItsMeaningAndExitsZero() {
        Cli.Launch l = parse("client", "-h");
        assertEquals(0, l.exitCode());
        String help = out.toString();
        for (String flag : new String[] {"-downstream", "-upstream", "-proxy", "-loglevel", "-token"}) {
            assertTrue(help.contains(flag), flag + " in\n" + help);
        }
        assertTrue(help.contains("socks5h://"), help);
        assertEquals(0, parse("-h").exitCode());
    }

    @Test
    void noSubcommandRunsTheConfiguredTunnels() {
        Cli.Launch l = parse();
        assertNull(l.exitCode());
        assertTrue(l.properties().isEmpty());
    }

    /** Files for the TLS flags: the flags are checked to name readable files before anything starts. */
    private static String file(Path dir, String name) throws IOException {
        return Files.writeString(dir.resolve(name), "").toString();
    }

    @Test
    void serverTlsFlagsBecomeTheTunnelsTlsKeys(@TempDir Path dir) throws IOException {
        String cert = file(dir, "s.crt");
        String key = file(dir, "s.key");
        String ca = file(dir, "agents-ca.crt");
        Cli.Launch l = parse("server", "-listen", ":1", "-tunnel", ":2", "-tls-cert", cert, "--tls-key", key,
                "-tls-client-ca", ca);
        assertNull(l.exitCode(), err.toString());
        assertEquals(cert, l.properties().get("itt.tunnels.itt.tls.cert"));
        assertEquals(key, l.properties().get("itt.tunnels.itt.tls.key"));
        assertEquals(ca, l.properties().get("itt.tunnels.itt.tls.client-ca"));
        assertNull(parse("server", "-listen", ":1", "-tunnel", ":2").properties().get("itt.tunnels.itt.tls.cert"),
                "no flag, no key: the configuration's value applies");
    }

    @Test
    void clientTlsFlagsBecomeTheTunnelsTlsKeys(@TempDir Path dir) throws IOException {
        String trust = file(dir, "ca.crt");
        String cert = file(dir, "a.crt");
        String key = file(dir, "a.key");
        Cli.Launch l = parse("client", "-downstream", "s:1", "-upstream", "u:2", "-tls-trust", trust, "-tls-cert",
                cert, "-tls-key", key, "-tls-server-name", "itt.example.com");
        assertNull(l.exitCode(), err.toString());
        assertEquals(trust, l.properties().get("itt.tunnels.itt.tls.trust"));
        assertEquals(cert, l.properties().get("itt.tunnels.itt.tls.cert"));
        assertEquals(key, l.properties().get("itt.tunnels.itt.tls.key"));
        assertEquals("itt.example.com", l.properties().get("itt.tunnels.itt.tls.server-name"));
        assertNull(l.properties().get("itt.tunnels.itt.tls.enabled"), "implied by the other keys, not set");
        assertEquals("true", parse("client", "-downstream", "s:1", "-upstream", "u:2", "-tls").properties()
                .get("itt.tunnels.itt.tls.enabled"));
        assertNull(parse("client", "-downstream", "s:1", "-upstream", "u:2").properties()
                .get("itt.tunnels.itt.tls.enabled"));
    }

    @Test
    void aConfigurationProblemOfTheFlagsExitsTwoNamingTheFlagNotTheProperty(@TempDir Path dir) {
        Cli.Launch l = parse("server", "-listen", ":1", "-tunnel", ":2", "-protocol", "legacy", "-token", "x");
        assertEquals(2, l.exitCode());
        assertTrue(err.toString().contains("itt: -token: the legacy protocol has no authentication"), err.toString());
        assertFalse(err.toString().contains("itt.tunnels.itt"), err.toString());

        assertEquals(2, parse("client", "-downstream", "s:1", "-upstream", "u:2", "-tls-cert",
                dir.resolve("missing.crt").toString()).exitCode());
        assertTrue(err.toString().contains("-tls-cert"), err.toString());
        assertFalse(err.toString().contains("itt.tunnels.itt"), err.toString());
        assertEquals("-tls-client-ca: x, see -tls and -token-file", FlagProblems.worded(
                "itt.tunnels.itt.tls.client-ca: x, see itt.tunnels.itt.tls.enabled and itt.tunnels.itt.token-file"));
    }

    @Test
    void checkRunsTheConfigurationCheckOnlyWithOrWithoutFlags() {
        Cli.Launch alone = parse("check");
        assertNull(alone.exitCode());
        assertTrue(alone.check());
        assertEquals("true", alone.properties().get("dev.itt.check-only"));
        assertEquals("false", alone.properties().get("quarkus.http.host-enabled"), "check opens nothing");
        Cli.Launch server = parse("check", "server", "-listen", ":1", "-tunnel", ":2");
        assertTrue(server.check());
        assertEquals(":1", server.properties().get("itt.tunnels.itt.listen"));
        assertEquals(2, parse("check", "server", "-listen", ":1").exitCode());
        assertFalse(parse("server", "-listen", ":1", "-tunnel", ":2").check());
    }

    @Test
    void theServerHasNoClientTlsFlags() {
        assertEquals(2, parse("server", "-listen", ":1", "-tunnel", ":2", "-tls").exitCode());
        assertTrue(err.toString().contains("-tls"), err.toString());
    }

    @Test
    void aTokenFileIsCheckedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("tokens");
        Files.writeString(good, "# current\nsecret-in-the-file-0123456789\n");
        Cli.Launch l = parse("server", "-listen", ":1", "-tunnel", ":2", "-token-file", good.toString());
        assertNull(l.exitCode());
        assertEquals(good.toString(), l.properties().get("itt.tunnels.itt.token-file"));
        assertNull(l.properties().get("itt.tunnels.itt.token"));
        assertEquals(good.toString(), parse("client", "--downstream", "s:1", "-upstream", "u:2", "--token-file",
                good.toString()).properties().get("itt.tunnels.itt.token-file"));

        Path missing = dir.resolve("missing");
        assertEquals(2, parse("client", "-downstream", "s:1", "-upstream", "u:2", "-token-file", missing.toString())
                .exitCode());
        assertTrue(err.toString().contains("-token-file: cannot read '" + missing + "': no such file"), err.toString());

        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n# nothing yet\n");
        assertEquals(2, parse("server", "-listen", ":1", "-tunnel", ":2", "-token-file", empty.toString()).exitCode());
        assertTrue(err.toString().contains("-token-file: '" + empty + "' holds no token"), err.toString());

        assertEquals(2, parse("server", "-listen", ":1", "-tunnel", ":2", "-token", "t", "-token-file",
                good.toString()).exitCode());
        assertTrue(err.toString().contains("-token and -token-file: give one or the other"), err.toString());
        assertFalse(err.toString().contains("secret-in-the-file"), err.toString());
    }

    @Test
    void tokenPrintsANewRandomTokenAndExitsZeroWithoutStarting() {
        Cli.Launch first = parse("token");
        assertEquals(0, first.exitCode(), "exits: Main never starts Quarkus for an exit code");
        assertTrue(first.properties().isEmpty());
        String one = out.toString().strip();
        assertTrue(one.matches("[A-Za-z0-9_-]{43}"), one);
        assertEquals(0, parse("token").exitCode());
        String two = out.toString().strip().substring(one.length()).strip();
        assertTrue(two.matches("[A-Za-z0-9_-]{43}") && !two.equals(one), one + " then " + two);

        assertEquals(0, parse("token", "-h").exitCode());
        assertTrue(out.toString().contains("Print a new random token"), out.toString());
        assertEquals(2, parse("token", "-length", "3").exitCode());
    }
}
