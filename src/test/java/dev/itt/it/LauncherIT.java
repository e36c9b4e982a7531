package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.IttProcess;
import dev.itt.testing.Target;
import dev.itt.testing.Users;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code target/quarkus-app/itt}, the launcher: which JVM it picks, its options, its archive, its arguments. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherIT {
    private static final Duration START = Duration.ofSeconds(30);
    /** The second JDK on these machines; where it is missing, the test says so and fails. */
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private record Run(int exit, String output) {}

    /** The launcher in {@code dir} with exactly this environment (and a PATH with the shell's tools). */
    private static Run run(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(IttProcess.launcher().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void versionNamesTheVersionAndTheCommitWithoutStartingTheApplication(@TempDir Path dir) throws Exception {
        Run v = run(dir, Map.of("JAVA_HOME", System.getProperty("java.home")), "--version");
        assertEquals(0, v.exit(), v.output());
        assertTrue(v.output().matches("itt \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7,}(-dirty)?\\)\\s*"),
                v.output());
    }

    @Test
    void theArchiveMadeByTheBuildIsUsedFromAnyWorkingDirectory(@TempDir Path dir) throws Exception {
        // -Xshare:on: a JVM that cannot map the archive exits with an error instead of running without it
        Run shared = run(dir, Map.of("JAVA_HOME", System.getProperty("java.home"), "JAVA_OPTS", "-Xshare:on"),
                "--version");
        assertEquals(0, shared.exit(), shared.output());
        assertTrue(Files.exists(IttProcess.launcher().resolveSibling("app-cds.jsa")));
    }

    /** Unix sockets need Netty's epoll library; arm64 nodes need theirs (not run here: these machines are x86-64). */
    @Test
    void thePackageCarriesTheEpollLibraryOfBothArchitectures() throws Exception {
        Path lib = IttProcess.launcher().resolveSibling("lib/main");
        for (String arch : List.of("x86_64", "aarch_64")) {
            List<Path> jars;
            try (var files = Files.list(lib)) {
                jars = files.filter(f -> f.getFileName().toString().matches(
                        "io\\.netty\\.netty-transport-native-epoll-.*-linux-" + arch + "\\.jar")).toList();
            }
            assertEquals(1, jars.size(), arch + " in " + lib);
            try (var jar = new java.util.zip.ZipFile(jars.get(0).toFile())) {
                assertTrue(jar.getEntry("META-INF/native/libnetty_transport_native_epoll_" + arch + ".so") != null,
                        jars.get(0).toString());
            }
        }
    }

    @Test
    void withoutJavaHomeTheJavaOnThePathRunsIt(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Run v = run(dir, Map.of("PATH", bin + ":/usr/bin:/bin"), "--version");
        assertEquals(0, v.exit(), v.output());
        assertTrue(v.output().startsWith("itt "), v.output());
        // a PATH with the launcher's shell tools and no java (Debian's /usr/bin has java too)
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("readlink", "dirname", "grep", "sed", "head")) {
            Files.createSymbolicLink(tools.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
        }
        Run none = run(dir, Map.of("PATH", tools.toString()), "--version");
        assertEquals(1, none.exit(), none.output());
        assertTrue(none.output().contains("itt: no Java found: set JAVA_HOME"), none.output());
    }

    @Test
    void aServerAndAClientFromTheLauncherOnJdk25CarryBytes(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(JDK_25.resolve("bin/java")), "this test needs the JDK 25 at " + JDK_25);
        Map<String, String> jdk25 = Map.of("JAVA_HOME", JDK_25.toString());
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0);
                IttProcess server = IttProcess.startIn(dir, dir.resolve("server.log"), jdk25, "server",
                        "-listen", "127.0.0.1:0", "-tunnel", "127.0.0.1:0").awaitLog("server end listening", START);
                IttProcess client = IttProcess.startIn(dir, dir.resolve("client.log"), jdk25, "client",
                        "-downstream", "127.0.0.1:" + server.port("agents"), "-upstream", echo.address())
                        .awaitLog("connected to server", START);
                Socket user = Users.connect(server.port("users"))) {
            user.getOutputStream().write("through the launcher".getBytes(StandardCharsets.UTF_8));
            user.shutdownOutput();
            assertEquals("through the launcher",
                    new String(Users.readAll(user.getInputStream()), StandardCharsets.UTF_8));
            for (IttProcess p : List.of(server, client)) {
                String command = p.command();
                assertTrue(command.startsWith(JDK_25.toString()), command);
            }
        }
    }
}
