package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.Curl;
import dev.itt.testing.IttProcess;
import dev.itt.testing.Nginx;
import dev.itt.testing.Target;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program as the two seed binaries: `itt server` and `itt client` as separate processes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CliProgramsIT {
    private static final Duration START = Duration.ofSeconds(30);

    /** `itt server` on ports the kernel picks (read back with {@link IttProcess#port}): no port can be taken first. */
    private static IttProcess server(Path dir, String... extra) throws IOException {
        return server(dir, 0, 0, extra);
    }

    private static IttProcess server(Path dir, int listen, int tunnel, String... extra) throws IOException {
        String[] args = concat(new String[] {"server", "-listen", "127.0.0.1:" + listen, "-tunnel", "127.0.0.1:" + tunnel},
                extra);
        return IttProcess.start(dir.resolve("server-" + System.nanoTime() + ".log"), args)
                .awaitLog("server end listening", START);
    }

    private static IttProcess client(Path dir, int tunnel, String upstream, String... extra) throws IOException {
        String[] args = concat(new String[] {"client", "-downstream", "127.0.0.1:" + tunnel, "-upstream", upstream},
                extra);
        return IttProcess.start(dir.resolve("client-" + System.nanoTime() + ".log"), args)
                .awaitLog("connected to server", START);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static Path file(Path www, String name, long size) throws IOException {
        Files.createDirectories(www);
        Path f = www.resolve(name);
        byte[] chunk = new byte[1024 * 1024];
        Random r = new Random(size);
        try (var out = Files.newOutputStream(f)) {
            for (long left = size; left > 0; left -= chunk.length) {
                r.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return f;
    }

    private static byte[] sha(Path p) throws IOException {
        var d = Target.sha256();
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return d.digest();
    }

    @Test
    void curlThroughTheProgramsToNginxTenAndAHundredMegabytes(@TempDir Path dir) throws Exception {
        Path ten = file(dir.resolve("www"), "ten.bin", 10L * 1024 * 1024);
        Path hundred = file(dir.resolve("www"), "hundred.bin", 100L * 1024 * 1024);
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                IttProcess server = server(dir);
                IttProcess client = client(dir, server.port("agents"), "127.0.0.1:" + nginx.port())) {
            int listen = server.port("users");
            Path out = dir.resolve("out.bin");
            assertEquals("200 " + 10L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/ten.bin", out));
            assertArrayEquals(sha(ten), sha(out));

            long start = System.nanoTime();
            assertEquals("200 " + 100L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/hundred.bin", out));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertArrayEquals(sha(hundred), sha(out));
            System.out.printf("100 MB through itt server + itt client (curl, nginx): %.1f MB/s%n", 100 / seconds);

            // info: one line per connection opened, and its access line as it closes, with its byte counts (the
            // reply is the file plus nginx's headers)
            assertTrue(server.log().contains("stream 1: user 127.0.0.1:"), server.log());
            java.util.regex.Matcher closed = java.util.regex.Pattern.compile(
                    "tunnel=\\S+ stream=2 source=\\S+ up=(\\d+) down=(\\d+) ").matcher(server.log());
            assertTrue(closed.find(), "info logs one line per closed connection:\n" + server.log());
            long fromTunnel = Long.parseLong(closed.group(2));
            assertTrue(fromTunnel > 100L * 1024 * 1024 && fromTunnel < 100L * 1024 * 1024 + 4096, closed.group());
            assertFalse(server.log().contains("Listening on:"), "the CLI opens no HTTP port, and says nothing of one");
            assertFalse(client.log().contains("Listening on:"), "the CLI opens no HTTP port, and says nothing of one");
            assertEquals(0, server.interrupt(), "Ctrl-C exits 0");
            assertTrue(server.log().contains("server end stopped"), server.log());
            client.awaitLog("peer is going away: server shutting down", START); // the server's GO_AWAY arrived
            assertEquals(0, client.stop(), "SIGTERM exits 0");
            assertTrue(client.log().contains("agent stopped"), client.log());
        }
    }

    @Test
    void aKilledAgentClosesItsUsersPromptlyAndANewOneServesAgain(@TempDir Path dir) throws Exception {
        try (Target source = Target.tcp(Target.Mode.SOURCE, 1L << 40); IttProcess server = server(dir)) {
            int listen = server.port("users");
            int tunnel = server.port("agents");
            IttProcess client = client(dir, tunnel, source.address());
            try (Socket user = Users.connect(listen)) {
                InputStream in = user.getInputStream();
                byte[] buf = new byte[65536];
                long got = 0;
                while (got < 10L * 1024 * 1024) {
                    got += in.read(buf);
                }
                client.kill(); // mid-transfer, no GO_AWAY
                user.setSoTimeout(10_000);
                long start = System.nanoTime();
                try {
                    while (in.read(buf) > 0) {
                        // drain what was in flight
                    }
                } catch (java.net.SocketException reset) {
                    // a reset is a close too
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 10_000, "the user saw the close after " + ms + " ms");
            }
            server.awaitLog("gone", START);
            try (IttProcess again = client(dir, tunnel, source.address()); Socket user = Users.connect(listen)) {
                assertTrue(user.getInputStream().read() >= 0, "served again once an agent returned");
            }
        }
    }

    @Test
    void theClientReconnectsByItselfWhenTheServerRestarts(@TempDir Path dir) throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            IttProcess first = server(dir);
            int listen = first.port("users");
            int tunnel = first.port("agents");
            try (IttProcess client = client(dir, tunnel, echo.address())) {
                assertEquals(0, first.stop());
                client.awaitLog("reconnecting", START);
                try (IttProcess second = server(dir, listen, tunnel)) {
                    second.awaitLog("agent 127.0.0.1", START);
                    try (Socket user = Users.connect(listen)) {
                        user.getOutputStream().write("ping".getBytes());
                        user.shutdownOutput();
                        assertEquals("ping", new String(Users.readAll(user.getInputStream())));
                    }
                    // each state change once, not once per retry: lost, (unreachable,) connected again
                    assertEquals(1, client.count("lost server"), client.log());
                    assertTrue(client.count("cannot reach server") <= 1, client.log());
                    assertEquals(2, client.count("connected to server"), client.log());
                }
            }
        }
    }

    @Test
    void unixSocketListenAndUpstreamWithTraceHexDumps(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.sock");
        try (Target echo = Target.unix(dir.resolve("echo.sock"), Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.start(dir.resolve("server.log"), "server", "-listen", "unix:" + users,
                        "-tunnel", "127.0.0.1:0", "-token", "s3cret", "-loglevel", "trace")
                        .awaitLog("server end listening", START);
                IttProcess client = IttProcess.start(dir.resolve("client.log"), "client", "-downstream",
                        "127.0.0.1:" + server.port("agents"), "-upstream", echo.address(), "-token", "s3cret",
                        "-loglevel", "trace").awaitLog("connected to server", START)) {
            try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(users))) {
                ch.write(java.nio.ByteBuffer.wrap("hello, tunnel".getBytes()));
                ch.shutdownOutput();
                assertEquals("hello, tunnel", new String(Users.readAll(Channels.newInputStream(ch))));
            }
            String hex = "68 65 6c 6c 6f 2c 20 74 75 6e 6e 65 6c"; // "hello, tunnel" as a hex dump
            // each side dumps both directions, with the stream and the direction
            client.awaitLog("stream 1 upstream " + echo.address() + " -> tunnel, 13 bytes", START);
            client.awaitLog("stream 1 tunnel -> upstream " + echo.address() + ", 13 bytes", START);
            server.awaitLog("stream 1 tunnel -> user", START);
            assertTrue(server.log().matches("(?s).*stream 1 user \\S* -> tunnel, 13 bytes.*"), server.log());
            assertEquals(2, client.count(hex), client.log());
            assertEquals(2, server.count(hex), server.log());
            assertFalse(client.log().contains("s3cret"), "the token is never logged");
            assertFalse(server.log().contains("s3cret"), "the token is never logged");
        }
    }

    @Test
    void aWrongTokenIsRefusedWithAReasonOnBothSides(@TempDir Path dir) throws Exception {
        try (IttProcess server = server(dir, "-token", "right");
                IttProcess client = IttProcess.start(dir.resolve("client.log"), "client", "-downstream",
                        "127.0.0.1:" + server.port("agents"), "-upstream", "127.0.0.1:1", "-token", "wrong")) {
            // the server end proves its token first: the agent finds it is not its own, and refuses before proving
            client.awaitLog("the server end did not prove it holds this agent's token", START);
            server.awaitLog("refused by peer: the server end did not prove", START);
        }
    }

    @Test
    void itTokenPrintsATokenWithoutStartingAndTokenFilesCarryItOnBothEnds(@TempDir Path dir) throws Exception {
        String token;
        try (IttProcess gen = IttProcess.start(dir.resolve("token.log"), "token")) {
            assertEquals(0, gen.waitForExit(START));
            token = gen.log().strip();
            assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "one token and nothing else, no Quarkus banner:\n" + token);
        }
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# made with itt token\n" + token + "\n");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = server(dir, "-token-file", file.toString(), "-loglevel", "trace");
                IttProcess client = client(dir, server.port("agents"), echo.address(), "-token-file", file.toString(),
                        "-loglevel", "trace");
                Socket user = Users.connect(server.port("users"))) {
            user.getOutputStream().write("token file".getBytes());
            user.shutdownOutput();
            assertEquals("token file", new String(Users.readAll(user.getInputStream())));
            for (IttProcess p : new IttProcess[] {server, client}) {
                assertFalse(p.log().contains(token), "the token is in a log:\n" + p.log());
                assertFalse(p.log().contains("is weak"), "a token from itt token never warns:\n" + p.log());
            }
        }
    }

    @Test
    void tunnelsFromEnvironmentVariablesAloneWithoutASubcommand(@TempDir Path dir) throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.start(dir.resolve("server.log"), Map.of(
                        "ITT_TUNNELS_DOCKER_LISTEN", "127.0.0.1:0",
                        "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:0",
                        "QUARKUS_HTTP_PORT", "0")).awaitLog("server end listening", START);
                IttProcess agent = IttProcess.start(dir.resolve("agent.log"), Map.of(
                        "ITT_TUNNELS_DOCKER_DOWNSTREAM", "127.0.0.1:" + server.port("agents"),
                        "ITT_TUNNELS_DOCKER_UPSTREAM", echo.address(),
                        "QUARKUS_HTTP_PORT", "0")).awaitLog("connected to server", START);
                Socket user = Users.connect(server.port("users"))) {
            user.getOutputStream().write("env".getBytes());
            user.shutdownOutput();
            assertEquals("env", new String(Users.readAll(user.getInputStream())));
        }
    }

    @Test
    void badConfigurationFailsStartUpNamingEveryProblem(@TempDir Path dir) throws Exception {
        try (IttProcess bad = IttProcess.start(dir.resolve("bad.log"), Map.of(
                "ITT_TUNNELS_DOCKER_LISTEN", "nowhere",
                "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:70000",
                "ITT_TUNNELS_DOCKER_LISTN", "typo",
                "QUARKUS_HTTP_PORT", "0"))) {
            int code = bad.waitForExit(START);
            String log = bad.log();
            assertTrue(code != 0, log);
            assertTrue(log.contains("itt.tunnels.docker.listen: 'nowhere' has no port"), log);
            assertTrue(log.contains("itt.tunnels.docker.tunnel: '127.0.0.1:70000' has port 70000"), log);
            assertTrue(log.contains("ITT_TUNNELS_DOCKER_LISTN sets no ITT key"), log);
        }
    }

    @Test
    void helpAndFlagErrorsNeverStartTheApplication(@TempDir Path dir) throws Exception {
        try (IttProcess help = IttProcess.start(dir.resolve("help.log"), "server", "-h")) {
            assertEquals(0, help.waitForExit(START));
            assertTrue(help.log().contains("-listen") && help.log().contains("-tunnel"), help.log());
        }
        try (IttProcess bad = IttProcess.start(dir.resolve("bad.log"), "server", "-listen", ":1", "-tunnel", ":2",
                "-loglevel", "shouty")) {
            assertEquals(2, bad.waitForExit(START));
            assertTrue(bad.log().contains("loglevel") && bad.log().contains("'shouty' is not a log level"), bad.log());
        }
    }

    @Test
    void twoHundredConcurrentEchoesHalfCloseAndARefusedUpstreamThroughThePrograms(@TempDir Path dir) throws Exception {
        IttProcess echoServer = server(dir);
        int listen = echoServer.port("users");
        int tunnel = echoServer.port("agents");
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = echoServer;
                IttProcess client = client(dir, tunnel, echo.address())) {
            assertTrue(dev.itt.e2e.TunnelEndToEndTest.twoHundredConcurrentEchoes(listen),
                    "every connection got its own bytes back");
            assertEquals(200, echo.accepted());
            assertEquals(200, echo.peakOpen(), "all 200 were open at once");
            assertEquals(0, server.stop());
        }
        try (Target digest = Target.tcp(Target.Mode.DIGEST_AFTER_EOF, 0);
                IttProcess server = server(dir, listen, tunnel);
                IttProcess client = client(dir, tunnel, digest.address());
                Socket user = Users.connect(listen)) {
            byte[] data = new byte[1024 * 1024];
            new Random(5).nextBytes(data);
            user.getOutputStream().write(data);
            user.shutdownOutput();
            byte[] reply = Users.readAll(user.getInputStream());
            assertArrayEquals(Target.sha256().digest(data), java.util.Arrays.copyOf(reply, 32),
                    "the reply the upstream sent only after the user's EOF");
            assertEquals(32 + data.length, reply.length);
        }
        int closed = Await.freePort();
        try (IttProcess server = server(dir, listen, tunnel);
                IttProcess client = client(dir, tunnel, "127.0.0.1:" + closed);
                Socket user = Users.connect(listen)) {
            user.setSoTimeout(5_000);
            int first;
            try {
                first = user.getInputStream().read();
            } catch (java.net.SocketException reset) {
                first = -1;
            }
            assertEquals(-1, first, "a refused upstream closes the user");
            client.awaitLog("CONNECT_REFUSED", START);
        }
    }

    @Test
    void theClientDialsTheUpstreamThroughASocksProxy(@TempDir Path dir) throws Exception {
        int socksPort = Await.freePort();
        Path ten = file(dir.resolve("www"), "ten.bin", 10L * 1024 * 1024);
        try (dev.itt.testing.Peers.Process socks = dev.itt.testing.Peers.Process.start(dir.resolve("socks.log"),
                dev.itt.testing.Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p",
                String.valueOf(socksPort), "-u", "u", "-P", "p", "-b", "127.0.0.9");
                Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"))) {
            Await.port(socksPort, START);
            try (IttProcess server = server(dir);
                    IttProcess client = client(dir, server.port("agents"), "proxy:localhost:" + nginx.port(), "-proxy",
                            "socks5h://u:p@127.0.0.1:" + socksPort)) {
                int listen = server.port("users");
                Path out = dir.resolve("out.bin");
                assertEquals("200 " + 10L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/ten.bin", out));
                assertArrayEquals(sha(ten), sha(out));
                String access = Files.readString(dir.resolve("nginx").resolve("access.log"));
                assertTrue(access.startsWith("127.0.0.9 "), "nginx saw the proxy's address:\n" + access);
                assertTrue(socks.log().contains("connected to localhost:" + nginx.port()), socks.log());
            }
        }
    }

    @Test
    void theProgramsSpeakTheLegacyProtocolWithProtocolLegacy(@TempDir Path dir) throws Exception {
        Path ten = file(dir.resolve("www"), "ten.bin", 10L * 1024 * 1024);
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                IttProcess server = server(dir, "-protocol", "legacy");
                IttProcess client = client(dir, server.port("agents"), "127.0.0.1:" + nginx.port(), "-protocol", "legacy")) {
            int listen = server.port("users");
            server.awaitLog("agent 127.0.0.1", START);
            Path out = dir.resolve("out.bin");
            assertEquals("200 " + 10L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/ten.bin", out));
            assertArrayEquals(sha(ten), sha(out));
        }
        try (IttProcess bad = IttProcess.start(dir.resolve("bad.log"), "server", "-listen", ":1", "-tunnel", ":2",
                "-protocol", "legacy", "-token", "t")) {
            assertEquals(2, bad.waitForExit(START), "a usage error");
            assertTrue(bad.log().contains("-token: the legacy protocol has no authentication"), bad.log());
        }
    }
}
