package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.IttProcess;
import dev.itt.testing.Jdks;
import dev.itt.testing.Target;
import dev.itt.testing.Users;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code target/quarkus-app/itt}, the launcher: which JVM it picks, its options, its archive, its arguments. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherIT {
    private static final Duration START = Duration.ofSeconds(30);
    /** The second JDK on these machines, beside the one running the tests; where it is missing, tests fail. */
    private static final Path JDK_25 = Jdks.atLeast(25);

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

    /** The home of the JVM the launcher runs, from that JVM itself (it prints its settings and exits). */
    private static Path javaHome(Path dir, Map<String, String> env) throws Exception {
        Map<String, String> probe = new HashMap<>(env);
        probe.put("JAVA_OPTS", "-XshowSettings:properties -version");
        Run r = run(dir, probe);
        assertEquals(0, r.exit(), r.output());
        Matcher m = Pattern.compile("java\\.home = (\\S+)").matcher(r.output());
        assertTrue(m.find(), r.output());
        return Path.of(m.group(1)).toRealPath();
    }

    /**
     * A JVM folder of this test's: {@code default}, the java a PATH names (through a link, as Debian's alternatives
     * do): a script of its own that runs the test's JDK, with that JDK's release file; and links to real JDKs.
     */
    private static Path jvmFolder(Path dir, Map<String, Path> jdks) throws Exception {
        Path jvm = Files.createDirectories(dir.resolve("jvm"));
        Path home = Files.createDirectories(jvm.resolve("default/bin"));
        Files.copy(Jdks.current().resolve("release"), jvm.resolve("default/release"));
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec " + Jdks.current().resolve("bin/java") + " \"$@\"\n");
        assertTrue(java.toFile().setExecutable(true));
        for (Map.Entry<String, Path> e : jdks.entrySet()) {
            Files.createSymbolicLink(jvm.resolve(e.getKey()), e.getValue());
        }
        Files.createDirectories(jvm.resolve("not-a-jdk"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), java);
        return bin;
    }

    @Test
    void withoutJavaHomeTheJavaOnThePathRunsItWhenNoNewerJdkIsBesideIt(@TempDir Path dir) throws Exception {
        Path bin = jvmFolder(dir, Map.of("same-major", Jdks.current()));
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin");
        assertEquals(Jdks.current(), javaHome(dir, env));
        Run v = run(dir, env, "--version");
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
    void withoutJavaHomeANewerJdkBesideTheJavaOnThePathRunsIt(@TempDir Path dir) throws Exception {
        assertTrue(Jdks.major(Jdks.current()).orElseThrow() < 25, "the tests' JDK is the older one");
        Path bin = jvmFolder(dir, Map.of("older-default", Jdks.current(), "newer", JDK_25));
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin");
        assertEquals(JDK_25, javaHome(dir, env));
        Run v = run(dir, env, "--version");
        assertEquals(0, v.exit(), v.output());
        assertTrue(v.output().startsWith("itt "), v.output());
    }

    @Test
    void javaHomeNamesExactlyTheJdkThatRunsIt(@TempDir Path dir) throws Exception {
        Path bin = jvmFolder(dir, Map.of("newer", JDK_25));
        assertEquals(Jdks.current(), javaHome(dir,
                Map.of("JAVA_HOME", Jdks.current().toString(), "PATH", bin + ":/usr/bin:/bin")));
        assertEquals(JDK_25, javaHome(dir, Map.of("JAVA_HOME", JDK_25.toString(), "PATH", "/usr/bin:/bin")));
    }

    @Test
    void aServerAndAClientFromTheLauncherOnJdk25CarryBytes(@TempDir Path dir) throws Exception {
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
