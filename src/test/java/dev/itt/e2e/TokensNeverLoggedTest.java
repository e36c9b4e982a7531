package dev.itt.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.ConfigException;
import dev.itt.config.ConfigReport;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.net.Socket;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** At the most verbose level, through good and failed handshakes, no token shows up in a log line or a message. */
class TokensNeverLoggedTest {
    private static final String RIGHT = "Right-Token-Zq7vW2xK9mB4nP1s";
    private static final String WRONG = "Wrong-Token-Hd3gF8jL5cR0tY6u";

    private static void assertNowhere(String where, String text) {
        for (String token : List.of(RIGHT, WRONG)) {
            assertFalse(text.contains(token), token + " in " + where + ":\n" + text);
            String hex = HexFormat.of().formatHex(token.getBytes(UTF_8));
            assertFalse(text.contains(hex) || text.contains(hex.toUpperCase()), "the token's hex in " + where);
        }
    }

    @Test
    void aHandshakeAtTraceLevelRightAndWrongLogsNoToken() throws Exception {
        try (LogCapture log = LogCapture.start("dev.itt", Level.ALL);
                Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().session(TestConfigs.session("t", RIGHT)).startServer()) {
            t.connectedAgent(echo.address());
            try (Socket user = Users.connect(t.userPort())) {
                user.getOutputStream().write("traced".getBytes(UTF_8));
                user.shutdownOutput();
                assertEquals("traced", new String(Users.readAll(user.getInputStream()), UTF_8));
            }
            AgentEnd wrong = t.session(TestConfigs.session("t", WRONG)).startAgent(echo.address());
            log.await("did not prove it holds this agent's token");
            assertFalse(wrong.isReady());
            assertNowhere("toString", t.server.toString() + wrong + TestConfigs.session("t", RIGHT)
                    + TestConfigs.session("t", RIGHT).credentials().keys());

            ConfigException both = assertThrows(ConfigException.class, () -> TestConfigs.specs(Map.of(
                    "itt.tunnels.x.listen", "127.0.0.1:0", "itt.tunnels.x.tunnel", "127.0.0.1:0",
                    "itt.tunnels.x.token", RIGHT, "itt.tunnels.x.protocol", "legacy"), Map.of()));
            assertNowhere("a configuration error", both.getMessage());

            String all = String.join("\n", log.matching(""));
            assertTrue(all.contains("TRACE "), "the capture saw TRACE lines:\n" + all);
            assertTrue(all.contains("74 72 61 63 65 64") || all.contains("747261636564"),
                    "the hex dump of the user's bytes is on, so it would have shown a token sent:\n" + all);
            assertNowhere("the log", all);
        }
    }

    @Test
    void theCheckReportMasksTokensFromPropertiesAndVariables() {
        Map<String, String> props = Map.of("itt.tunnels.a.listen", "127.0.0.1:1", "itt.tunnels.a.tunnel",
                "127.0.0.1:2", "itt.tunnels.a.token", RIGHT);
        Map<String, String> env = Map.of("ITT_TUNNELS_B_DOWNSTREAM", "s:1", "ITT_TUNNELS_B_UPSTREAM", "u:2",
                "ITT_TUNNELS_B_TOKEN", WRONG);
        try (LogCapture log = LogCapture.start("dev.itt", Level.ALL)) {
            String report = String.join("\n", ConfigReport.lines(TestConfigs.config(props, env),
                    TestConfigs.specs(props, env)));
            assertEquals(2, report.split("\n  token += \\*\\*\\*\\*  ", -1).length - 1, report);
            assertNowhere("the check report", report);
            assertNowhere("the log", String.join("\n", log.matching("")));
        }
    }
}
