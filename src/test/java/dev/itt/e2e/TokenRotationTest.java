package dev.itt.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.config.FileWatcher;
import dev.itt.config.TokenFileCredentials;
import dev.itt.config.TunnelSpec;
import dev.itt.mux.AuthKey;
import dev.itt.mux.SessionConfig;
import dev.itt.testing.Await;
import dev.itt.testing.LogCapture;
import dev.itt.testing.MountedSecret;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server end's token file replaced the way the kubelet replaces a mounted Secret: the file is a symlink into
 * {@code ..data}, itself a symlink to a versioned directory, and an update renames a new {@code ..data} over the
 * old one. New handshakes use the new tokens; the tunnel connection already open keeps its streams.
 */
class TokenRotationTest {
    private static final String A = "token-A-6Qk1xY0n3bVvH2sR9pLm4Zt";
    private static final String B = "token-B-Jw8cT5eU1oPq7dGx3yNf6Ks";

    @TempDir
    Path dir;

    /** A Secret volume with the file {@code token}, at {@code version}: returns the path to configure. */
    private Path secret(String version, String content) throws IOException {
        MountedSecret secret = new MountedSecret(dir);
        secret.publish(version, Map.of("token", content.getBytes(UTF_8)));
        return secret.file("token");
    }

    private static SessionConfig serverWithTokenFile(Path file) {
        return TestConfigs.specs(Map.of("itt.tunnels.t.listen", "127.0.0.1:0", "itt.tunnels.t.tunnel", "127.0.0.1:0",
                "itt.tunnels.t.token-file", file.toString()), Map.of()).get(0).session();
    }

    private static void echoes(Socket user, String text) throws IOException {
        OutputStream out = user.getOutputStream();
        InputStream in = user.getInputStream();
        byte[] bytes = text.getBytes(UTF_8);
        out.write(bytes);
        out.flush();
        assertArrayEquals(bytes, in.readNBytes(bytes.length), "the echo of '" + text + "'");
    }

    @Test
    void aReplacedSecretLetsTheNewTokenInKeepsTheOldOutAndLeavesOpenStreamsAlone() throws Exception {
        Path file = secret("v1", A + "\n");
        SessionConfig server = serverWithTokenFile(file);
        TokenFileCredentials credentials = (TokenFileCredentials) server.credentials();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                TunnelFixture t = new TunnelFixture().session(server).startServer();
                FileWatcher watcher = new FileWatcher(Duration.ofMillis(50));
                LogCapture log = LogCapture.start()) {
            watcher.watch(credentials);
            AgentEnd first = t.session(TestConfigs.session("t", A)).connectedAgent(echo.address());
            try (Socket user = Users.connect(t.userPort())) {
                echoes(user, "before the rotation");

                secret("v2", "# rotated\n" + B + "\n");
                Await.until("the server end to take the new token file", TunnelFixture.WAIT,
                        () -> credentials.keys().equals(List.of(AuthKey.derive(B, "t"))));
                assertTrue(log.await("itt.tunnels.t.token-file: re-read").contains("1 token(s)"));

                AgentEnd withB = t.session(TestConfigs.session("t", B)).connectedAgent(echo.address());
                assertTrue(withB.isReady());
                AgentEnd withA = t.session(TestConfigs.session("t", A)).startAgent(echo.address());
                log.await("did not prove it holds this agent's token");
                assertFalse(withA.isReady(), "an agent still holding the removed token gets no session");

                assertTrue(first.isReady(), "the session opened with the old token stays");
                echoes(user, "after the rotation, on the stream opened before it");
            }
            assertFalse(String.join("\n", log.matching("")).contains(B), "the new token is not logged");
        }
    }

    @Test
    void aBadNewVersionIsReportedOnceAndTheTokensReadBeforeStay() throws Exception {
        Path file = secret("v1", A + "\n");
        TokenFileCredentials credentials = (TokenFileCredentials) serverWithTokenFile(file).credentials();
        List<AuthKey> before = credentials.keys();
        try (LogCapture log = LogCapture.start()) {
            assertFalse(credentials.poll(), "nothing changed");

            secret("v2", "\n# emptied by mistake\n");
            assertFalse(credentials.poll());
            assertFalse(credentials.poll(), "the same bad file a second time");
            assertEquals(1, log.matching("holds no token").size(), String.join("\n", log.matching("")));
            assertTrue(log.matching("holds no token").get(0).contains("the tokens read before stay in use"));
            assertEquals(before, credentials.keys());

            StringBuilder nine = new StringBuilder();
            for (int i = 0; i < 9; i++) {
                nine.append("too-many-").append(i).append("-abcdefghijklmnopqrs\n");
            }
            secret("v3", nine.toString());
            assertFalse(credentials.poll());
            assertEquals(1, log.matching("holds 9 tokens").size());
            assertEquals(before, credentials.keys());

            Files.delete(dir.resolve("..v3").resolve("token"));
            assertFalse(credentials.poll());
            assertFalse(credentials.poll());
            assertEquals(1, log.matching("no such file").size(), String.join("\n", log.matching("")));
            assertEquals(before, credentials.keys());

            secret("v4", B);
            assertTrue(credentials.poll(), "a good version is taken again");
            assertEquals(List.of(AuthKey.derive(B, "t")), credentials.keys());
            assertFalse(String.join("\n", log.matching("")).contains("too-many-"), "no line quotes the file");
        }
    }
}
