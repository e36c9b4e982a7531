package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.Target;
import dev.itt.testing.Trees;
import dev.itt.testing.TunnelProperties;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mvnw quarkus:dev} on a copy of this project, edited as a developer edits it: a tunnel added to
 * {@code application.properties} serves within 2 s with no HTTP request to the application; the restart Quarkus
 * then makes, on the next HTTP request, leaves the running tunnels and their streams alone; the request through the
 * demo tunnel that causes it is answered.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DevModeReloadIT {
    private static final Duration START = Duration.ofSeconds(300);
    private static final Duration RELOAD = Duration.ofSeconds(2);

    @Test
    void editsApplyWithoutARequestAndTheRestartAfterThemLeavesRunningStreamsAlone(@TempDir Path dir)
            throws Exception {
        Path project = dir.resolve("project");
        copyProject(Path.of("").toAbsolutePath(), project);
        int http = Await.freePort();
        int demo = Await.freePort();
        int demoTunnel = Await.freePort();
        int held = Await.freePort();
        int heldTunnel = Await.freePort();
        int extra = Await.freePort();
        int extraTunnel = Await.freePort();
        Path properties = project.resolve("src/main/resources/application.properties");
        String original = Files.readString(properties);
        assertTrue(original.contains("localhost:9000") && original.contains("localhost:8080"), original);
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            String configured = original.replace("localhost:9000", "localhost:" + demo)
                    .replace("localhost:9001", "localhost:" + demoTunnel)
                    .replace("localhost:8080", "localhost:" + http)
                    + "\n%dev.quarkus.http.port=" + http + "\n" + pair("held", held, heldTunnel, echo.address());
            Files.writeString(properties, configured);
            Path log = dir.resolve("dev.log");
            Process dev = new ProcessBuilder("./mvnw", "-B", "-ntp", "quarkus:dev", "-Dquarkus.analytics.disabled=true",
                    "-Dquarkus.console.enabled=false").directory(project.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                awaitLog(dev, log, "tunnel held-agent: connected to server", START);
                awaitLog(dev, log, "tunnel demo-agent: connected to server", START);
                try (Socket stream = Users.connect(held)) {
                    echoesOn(stream, "before the edit ");

                    // an edit, and nothing but ITT's own ports touched: no HTTP request reaches Quarkus
                    long edited = System.nanoTime();
                    write(properties, configured + pair("extra", extra, extraTunnel, echo.address()));
                    Await.until("tunnel extra echoing", RELOAD, () -> echoes(extra));
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - edited);
                    System.out.printf("dev mode: the added tunnel served %d ms after the edit%n", millis);
                    assertTrue(!read(log).contains("Restarting quarkus"), "no restart yet:\n" + read(log));

                    // the next HTTP request, through the demo tunnel, makes Quarkus restart; it is answered
                    assertEquals("HTTP/1.1 200 OK", httpStatus(demo, "/q/health/live"), read(log));
                    assertTrue(read(log).contains("Restarting quarkus due to changes in application.properties"),
                            read(log));
                    assertTrue(read(log).contains("dev mode restart: 6 tunnels carried over with their streams,"
                            + " 0 started anew"), read(log));
                    // the stream open across both the reload and the restart goes on
                    echoesOn(stream, "after the restart");
                    assertTrue(echoes(extra), "extra after the restart");
                    // health reads the ends carried over
                    String ready = httpBody(http, "/q/health/ready");
                    assertTrue(ready.contains("\"name\": \"held\"") && ready.contains("\"state\": \"agents-connected\""),
                            ready);
                }
            } finally {
                stop(dev);
            }
        }
    }

    private static String pair(String name, int listen, int tunnel, String upstream) {
        return TunnelProperties.pair("%dev.", "localhost", name, listen, tunnel, upstream);
    }

    /** What {@code quarkus:dev} needs: the build, the wrapper and the main sources (not the tests). */
    private static void copyProject(Path from, Path to) throws IOException {
        for (String p : List.of("pom.xml", "mvnw", ".mvn", "src/main")) {
            Trees.copy(from.resolve(p), to.resolve(p));
        }
    }

    private static void write(Path file, String content) throws IOException {
        TunnelProperties.replace(file, content);
    }

    private static void echoesOn(Socket stream, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        stream.getOutputStream().write(bytes);
        assertEquals(text, new String(stream.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8));
    }

    private static boolean echoes(int port) {
        try (Socket s = Users.connect(port)) {
            s.setSoTimeout(1_000);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return "ping".equals(new String(Users.readAll(s.getInputStream()), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return false;
        }
    }

    private static String http(int port, String path) throws IOException {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(60_000); // the restart happens while this request waits
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String httpStatus(int port, String path) throws IOException {
        return http(port, path).lines().findFirst().orElse("");
    }

    private static String httpBody(int port, String path) throws IOException {
        String response = http(port, path);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private static void awaitLog(Process dev, Path log, String text, Duration timeout) {
        Await.until("'" + text + "' in the dev-mode log", timeout, () -> {
            if (!dev.isAlive()) {
                throw new AssertionError("quarkus:dev exited " + dev.exitValue() + ":\n" + read(log));
            }
            return read(log).contains(text);
        });
    }

    /** Stops Maven and the application it forked (the wrapper, Maven's JVM, the dev-mode JVM). */
    private static void stop(Process dev) throws InterruptedException {
        List<ProcessHandle> all = dev.descendants().toList();
        all.forEach(ProcessHandle::destroy);
        dev.destroy();
        for (ProcessHandle p : all) {
            p.onExit().completeOnTimeout(p, 20, TimeUnit.SECONDS).join();
            p.destroyForcibly();
        }
        dev.waitFor(20, TimeUnit.SECONDS);
        dev.destroyForcibly();
    }
}
