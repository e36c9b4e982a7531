package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.IttProcess;
import dev.itt.testing.Jdks;
import dev.itt.testing.Target;
import dev.itt.testing.Trees;
import dev.itt.testing.Users;
import io.vertx.core.json.JsonArray;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * There is no container engine on the machines ITT is built on, so this plays src/main/docker/Dockerfile.jvm
 * without one: its COPY lines lay the packaged application out under a directory that stands for the image's
 * root, its RUN line runs there on the JDK 25 that stands for the base image's, and its ENTRYPOINT runs with its
 * ENV and WORKDIR, configured as a container is (variables and a mounted file), and carries a user's bytes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DockerfileIT {
    private static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
    /** The base image's Java, on these machines: the JDK 25 beside the one running the tests. */
    private static final Path JDK_25 = Jdks.atLeast(25);
    private static final Duration START = Duration.ofSeconds(60);

    /** The file's instructions, continuation lines joined, comments left out: {keyword, arguments}. */
    private static List<String[]> instructions() throws Exception {
        List<String[]> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : Files.readAllLines(DOCKERFILE)) {
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (raw.endsWith("\\")) {
                line.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            line.append(raw);
            String text = line.toString().strip();
            int space = text.indexOf(' ');
            out.add(new String[] {text.substring(0, space), text.substring(space + 1).strip()});
            line.setLength(0);
        }
        return out;
    }

    @Test
    void theImageAsTheDockerfileDefinesItRunsATunnelConfiguredByVariablesAndAMountedFile(@TempDir Path dir)
            throws Exception {
        Path root = Files.createDirectories(dir.resolve("image"));
        Map<String, String> env = new HashMap<>();
        String workdir = null;
        List<String> entrypoint = null;
        for (String[] i : instructions()) {
            String args = i[1];
            switch (i[0]) {
                case "FROM" -> assertTrue(args.startsWith("eclipse-temurin:25"), args);
                case "WORKDIR" -> workdir = args;
                case "COPY" -> copy(args, root);
                case "RUN" -> run(args.replace("/deployments", root + "/deployments")
                        .replace("/var/run/itt", root + "/var/run/itt"), root);
                case "USER" -> assertTrue(args.matches("[1-9]\\d*:[1-9]\\d*"), "a fixed uid, not root: " + args);
                case "VOLUME" -> assertTrue(new JsonArray(args).getList().containsAll(List.of("/tmp", "/var/run/itt")),
                        args);
                case "ENV" -> env.put(args.substring(0, args.indexOf('=')), args.substring(args.indexOf('=') + 1));
                case "EXPOSE" -> assertTrue(List.of(args.split(" ")).contains("8080"), args);
                case "ENTRYPOINT" -> entrypoint = new JsonArray(args).stream().map(String::valueOf).toList();
                default -> throw new AssertionError("an instruction this test does not play: " + i[0]);
            }
        }
        assertEquals("/deployments", workdir);
        assertEquals(List.of("/deployments/itt"), entrypoint);
        assertTrue(Files.exists(root.resolve("deployments/app.aot")), "the RUN line's AOT cache");
        Path work = root.resolve(workdir.substring(1));
        Path itt = root.resolve(entrypoint.get(0).substring(1));
        env.put("JAVA_HOME", JDK_25.toString()); // what the base image sets
        // a JVM that cannot use the AOT cache made at build time fails instead of starting without it
        env.put("JAVA_OPTS", "-XX:AOTMode=on");

        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            Map<String, String> server = new HashMap<>(env);
            server.put("QUARKUS_HTTP_PORT", "0");
            server.put("ITT_TUNNELS_WEB_LISTEN", "127.0.0.1:0");
            server.put("ITT_TUNNELS_WEB_TUNNEL", "127.0.0.1:0");
            try (IttProcess s = IttProcess.startWith(itt, work, dir.resolve("server.log"), server)
                    .awaitLog("server end listening", START)) {
                // the agent's container: its tunnel from a mounted config/application.properties
                Files.writeString(work.resolve("config/application.properties"), String.join("\n",
                        "itt.tunnels.web.downstream=127.0.0.1:" + s.port("agents"),
                        "itt.tunnels.web.upstream=" + echo.address(), "quarkus.http.port=0", ""));
                try (IttProcess a = IttProcess.startWith(itt, work, dir.resolve("agent.log"), env)
                        .awaitLog("connected to server", START);
                        Socket user = Users.connect(s.port("users"))) {
                    user.getOutputStream().write("through the image".getBytes(StandardCharsets.UTF_8));
                    user.shutdownOutput();
                    assertEquals("through the image",
                            new String(Users.readAll(user.getInputStream()), StandardCharsets.UTF_8));
                    assertTrue(a.command().startsWith(JDK_25.toString()), a.command());
                }
            }
        }
    }

    /** {@code COPY [--chown=u:g] SRC... DEST}: sources from the repository, DEST under the image's root. */
    private static void copy(String args, Path root) throws Exception {
        List<String> words = new ArrayList<>(List.of(args.split("\\s+")));
        words.removeIf(w -> w.startsWith("--"));
        Path dest = root.resolve(words.remove(words.size() - 1).substring(1));
        for (String source : words) {
            Path from = Path.of(source);
            assertTrue(Files.exists(from), source + " (run ./mvnw package first)");
            // a directory's content goes into DEST, a file into DEST by its name
            Trees.copy(from, Files.isDirectory(from) ? dest : dest.resolve(from.getFileName()));
        }
    }

    /** {@code RUN}: with the base image's JAVA_HOME, and its java first on the PATH. */
    private static void run(String command, Path root) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", JDK_25.toString());
        pb.environment().put("PATH", JDK_25.resolve("bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), command + "\n" + out);
    }
}
