package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.AuthKey;
import dev.itt.mux.wire.WireConstants;
import dev.itt.testing.LogCapture;
import dev.itt.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code token-file} and the checks on tokens, through the real mapping and validator, with real files. */
class TokenFileConfigTest {
    @TempDir
    Path dir;

    private static Map<String, String> server(String key, String value) {
        return Map.of("itt.tunnels.db.listen", "127.0.0.1:0", "itt.tunnels.db.tunnel", "127.0.0.1:0",
                "itt.tunnels.db." + key, value);
    }

    private Path file(String text) throws IOException {
        Path f = dir.resolve("tokens-" + System.nanoTime());
        Files.writeString(f, text);
        return f;
    }

    private static String problems(Map<String, String> props) {
        return String.join("\n", assertThrows(ConfigException.class, () -> TestConfigs.specs(props, Map.of()))
                .problems());
    }

    @Test
    void aServerEndAcceptsEveryTokenOfTheFileInOrderSkippingBlanksAndComments() throws IOException {
        Path f = file("# rotated 2026-12: new first\n\n  first-token-0123456789abcdef  \r\n\t\n# old\nsecond-token-0123456789abcdef\n");
        TunnelSpec spec = TestConfigs.specs(server("token-file", f.toString()), Map.of()).get(0);
        assertEquals(List.of(AuthKey.derive("first-token-0123456789abcdef", "db"),
                AuthKey.derive("second-token-0123456789abcdef", "db")), spec.session().credentials().keys());
        assertInstanceOf(TokenFileCredentials.class, spec.session().credentials());
        assertFalse(spec.session().toString().contains("first-token"), spec.session().toString());
    }

    @Test
    void anAgentProvesTheFirstTokenSaltedWithItsWireName() throws IOException {
        Path f = file("agent-token-0123456789abcdefXYZ\nnext-token-0123456789abcdefXYZ\n");
        TunnelSpec spec = TestConfigs.specs(Map.of("itt.tunnels.a.downstream", "s:1", "itt.tunnels.a.upstream", "u:2",
                "itt.tunnels.a.name", "db", "itt.tunnels.a.token-file", f.toString()), Map.of()).get(0);
        assertEquals(AuthKey.derive("agent-token-0123456789abcdefXYZ", "db"), spec.session().credentials().keys().get(0));
    }

    @Test
    void moreTokensThanProofsInAChallengeIsAnErrorNamingTunnelAndKeyButNoToken() throws IOException {
        String tokens = String.join("\n", IntStream.rangeClosed(0, WireConstants.MAX_PROOFS)
                .mapToObj(i -> "secret-number-" + i + "-abcdefghijklmnop").toList());
        String problems = problems(server("token-file", file(tokens).toString()));
        assertTrue(problems.contains("itt.tunnels.db.token-file: "), problems);
        assertTrue(problems.contains("holds 9 tokens; at most 8"), problems);
        assertFalse(problems.contains("secret-number"), problems);
    }

    @Test
    void aMissingOrEmptyFileIsAnErrorNamingTunnelKeyAndPath() throws IOException {
        Path missing = dir.resolve("no-such-file");
        String p1 = problems(server("token-file", missing.toString()));
        assertTrue(p1.contains("itt.tunnels.db.token-file: cannot read '" + missing + "': no such file"), p1);
        Path empty = file("\n  \n# only a comment\n");
        String p2 = problems(server("token-file", empty.toString()));
        assertTrue(p2.contains("itt.tunnels.db.token-file: '" + empty + "' holds no token"), p2);
        String p3 = problems(server("token-file", dir.toString()));
        assertTrue(p3.contains("itt.tunnels.db.token-file: cannot read '" + dir + "'"), p3);
    }

    @Test
    void tokenAndTokenFileTogetherAreAnError() throws IOException {
        Map<String, String> props = new java.util.HashMap<>(server("token", "inline-token-0123456789abcdef"));
        props.put("itt.tunnels.db.token-file", file("file-token-0123456789abcdef").toString());
        String problems = problems(props);
        assertTrue(problems.contains("itt.tunnels.db.token-file: is set together with token"), problems);
        assertFalse(problems.contains("inline-token") || problems.contains("file-token"), problems);
    }

    @Test
    void theLegacyProtocolRefusesATokenFile() throws IOException {
        Map<String, String> props = new java.util.HashMap<>(server("token-file", file("t0123456789abcdefghij").toString()));
        props.put("itt.tunnels.db.protocol", "legacy");
        String problems = problems(props);
        assertTrue(problems.contains("itt.tunnels.db.token-file: the legacy protocol has no authentication"), problems);
    }

    @Test
    void theTokenFileKeyIsKnownToTheEnvironmentCheck() throws IOException {
        Path f = file("env-token-0123456789abcdefghij");
        TunnelSpec spec = TestConfigs.specs(Map.of(), Map.of("ITT_TUNNELS_DB_LISTEN", "127.0.0.1:0",
                "ITT_TUNNELS_DB_TUNNEL", "127.0.0.1:0", "ITT_TUNNELS_DB_TOKEN_FILE", f.toString())).get(0);
        assertEquals(1, spec.session().credentials().keys().size());
    }

    @Test
    void aWeakTokenIsUsedWithAWarningThatSaysWhyAndDoesNotQuoteIt() throws IOException {
        try (LogCapture log = LogCapture.start()) {
            TestConfigs.specs(server("token", "hunter2password"), Map.of());
            String line = log.await("itt.tunnels.db.token is weak");
            assertTrue(line.startsWith("WARN"), line);
            assertTrue(line.contains("15 characters from a set of 36 carry at most 77 bits"), line);
            assertTrue(line.contains("itt token"), line);
            assertFalse(line.contains("hunter2"), line);

            TestConfigs.specs(server("token-file", file(Tokens.generate() + "\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n")
                    .toString()), Map.of());
            String fromFile = log.await("token 2 of");
            assertTrue(fromFile.contains("itt.tunnels.db.token-file: token 2 of '"), fromFile);
            assertTrue(fromFile.contains("only 1 distinct characters"), fromFile);
            assertEquals(0, log.matching("token 1 of").size(), "a generated token never warns");
        }
    }

    @Test
    void theWeaknessRuleAtItsEdges() {
        assertTrue(Tokens.weakness("a1B2c3D4e5F6g7H8i9J").isPresent(), "19 letters and digits: 113 bits");
        assertTrue(Tokens.weakness("a1B2c3D4e5F6g7H8i9J!").isEmpty(), "20 of printable ASCII: 131 bits");
        assertTrue(Tokens.weakness("abcdefghijklmnopqrstuvwxyza").isPresent(), "27 lower-case letters: 126 bits");
        assertTrue(Tokens.weakness("abcdefghijklmnopqrstuvwxyzab").isEmpty(), "28 lower-case letters: 131 bits");
        assertTrue(Tokens.weakness("0123456789abcdef0123456789abcdef").isEmpty(), "128 bits as hex: no warning");
        assertTrue(Tokens.weakness("abababababababababababababababababababab").isPresent(), "2 distinct characters");
    }

    @Test
    void generatedTokensAreUrlSafeBase64Of256RandomBitsAndNeverWeak() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String t = Tokens.generate();
            assertTrue(t.matches("[A-Za-z0-9_-]{43}"), t);
            assertEquals(32, java.util.Base64.getUrlDecoder().decode(t).length);
            assertTrue(Tokens.weakness(t).isEmpty(), () -> t + ": " + Tokens.weakness(t).get());
            assertTrue(seen.add(t), "a token came twice");
        }
    }
}
