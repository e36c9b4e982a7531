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
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                IttProcess server = server(dir, listen, tunnel);
                IttProcess client = client(dir, tunnel, "127.0.0.1:" + nginx.port())) {
            Path out = dir.resolve("out.bin");
            assertEquals("200 " + 10L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/ten.bin", out));
            assertArrayEquals(sha(ten), sha(out));

            long start = System.nanoTime();
            assertEquals("200 " + 100L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/hundred.bin", out));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertArrayEquals(sha(hundred), sha(out));
            System.out.printf("100 MB through itt server + itt client (curl, nginx): %.1f MB/s%n", 100 / seconds);

            assertTrue(server.log().contains("closed: "), "info logs one line per connection:\n" + server.log());
            assertFalse(server.log().contains("Listening on: http"), "the CLI opens no HTTP port");
            assertFalse(client.log().contains("Listening on: http"), "the CLI opens no HTTP port");
            assertEquals(0, client.stop(), "SIGTERM exits 0");
            assertEquals(0, server.stop(), "SIGTERM exits 0");
            assertTrue(server.log().contains("server end stopped"), server.log());
        }
    }

    @Test
    void aKilledAgentClosesItsUsersPromptlyAndANewOneServesAgain(@TempDir Path dir) throws Exception {
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Target source = Target.tcp(Target.Mode.SOURCE, 1L << 40);
                IttProcess server = server(dir, listen, tunnel)) {
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
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            IttProcess first = server(dir, listen, tunnel);
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
                }
                String log = client.log();
                int warnings = log.split("WARN", -1).length - 1;
                assertTrue(warnings <= 2, "each state change logged once, not once per retry:\n" + log);
            }
        }
    }

    @Test
    void unixSocketListenAndUpstreamWithTraceHexDumps(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.sock");
        int tunnel = Await.freePort();
        try (Target echo = Target.unix(dir.resolve("echo.sock"), Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.start(dir.resolve("server.log"), "server", "-listen", "unix:" + users,
                        "-tunnel", "127.0.0.1:" + tunnel, "-token", "s3cret").awaitLog("server end listening", START);
                IttProcess client = IttProcess.start(dir.resolve("client.log"), "client", "-downstream",
                        "127.0.0.1:" + tunnel, "-upstream", echo.address(), "-token", "s3cret", "-loglevel", "trace")
                        .awaitLog("connected to server", START)) {
            try (SocketChannel ch = SocketChannel.open(java.net.UnixDomainSocketAddress.of(users))) {
                ch.write(java.nio.ByteBuffer.wrap("hello, tunnel".getBytes()));
                ch.shutdownOutput();
                assertEquals("hello, tunnel", new String(Users.readAll(Channels.newInputStream(ch))));
            }
            client.awaitLog("68 65 6c 6c 6f 2c 20 74 75 6e 6e 65 6c", START); // "hello, tunnel" as a hex dump
            assertTrue(client.log().contains("stream 1"), client.log());
            assertFalse(client.log().contains("s3cret"), "the token is never logged");
        }
    }

    @Test
    void aWrongTokenIsRefusedWithAReasonOnBothSides(@TempDir Path dir) throws Exception {
        int tunnel = Await.freePort();
        try (IttProcess server = server(dir, Await.freePort(), tunnel, "-token", "right");
                IttProcess client = IttProcess.start(dir.resolve("client.log"), "client", "-downstream",
                        "127.0.0.1:" + tunnel, "-upstream", "127.0.0.1:1", "-token", "wrong")) {
            client.awaitLog("token does not match", START);
            server.awaitLog("token does not match", START);
        }
    }

    @Test
    void tunnelsFromEnvironmentVariablesAloneWithoutASubcommand(@TempDir Path dir) throws Exception {
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.start(dir.resolve("server.log"), Map.of(
                        "ITT_TUNNELS_DOCKER_LISTEN", "127.0.0.1:" + listen,
                        "ITT_TUNNELS_DOCKER_TUNNEL", "127.0.0.1:" + tunnel,
                        "QUARKUS_HTTP_PORT", "0")).awaitLog("server end listening", START);
                IttProcess agent = IttProcess.start(dir.resolve("agent.log"), Map.of(
                        "ITT_TUNNELS_DOCKER_DOWNSTREAM", "127.0.0.1:" + tunnel,
                        "ITT_TUNNELS_DOCKER_UPSTREAM", echo.address(),
                        "QUARKUS_HTTP_PORT", "0")).awaitLog("connected to server", START);
                Socket user = Users.connect(listen)) {
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
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = server(dir, listen, tunnel);
                IttProcess client = client(dir, tunnel, echo.address())) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(200);
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long seed = i;
                results.add(pool.submit(() -> dev.itt.e2e.TunnelEndToEndTest.echoesItsOwnBytes(listen, seed, 256 * 1024)));
            }
            for (var r : results) {
                assertTrue(r.get(120, TimeUnit.SECONDS), "every connection got its own bytes back");
            }
            pool.shutdown();
            assertEquals(200, echo.accepted());
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
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        int socksPort = Await.freePort();
        Path ten = file(dir.resolve("www"), "ten.bin", 10L * 1024 * 1024);
        try (dev.itt.testing.Peers.Process socks = dev.itt.testing.Peers.Process.start(dir.resolve("socks.log"),
                dev.itt.testing.Peers.require("microsocks", "microsocks"), "-i", "127.0.0.1", "-p",
                String.valueOf(socksPort), "-u", "u", "-P", "p", "-b", "127.0.0.9");
                Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"))) {
            Await.port(socksPort, START);
            try (IttProcess server = server(dir, listen, tunnel);
                    IttProcess client = client(dir, tunnel, "proxy:localhost:" + nginx.port(), "-proxy",
                            "socks5h://u:p@127.0.0.1:" + socksPort)) {
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
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                IttProcess server = server(dir, listen, tunnel, "-protocol", "legacy");
                IttProcess client = client(dir, tunnel, "127.0.0.1:" + nginx.port(), "-protocol", "legacy")) {
            server.awaitLog("agent 127.0.0.1", START);
            Path out = dir.resolve("out.bin");
            assertEquals("200 " + 10L * 1024 * 1024, Curl.get("http://127.0.0.1:" + listen + "/ten.bin", out));
            assertArrayEquals(sha(ten), sha(out));
        }
        try (IttProcess bad = IttProcess.start(dir.resolve("bad.log"), "server", "-listen", ":1", "-tunnel", ":2",
                "-protocol", "legacy", "-token", "t")) {
            assertTrue(bad.waitForExit(START) != 0);
            assertTrue(bad.log().contains("the legacy protocol has no authentication"), bad.log());
        }
    }
}
