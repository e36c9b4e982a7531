package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged program run as a separate process, as a user runs it: by its launcher, {@code target/quarkus-app/itt},
 * on the JVM that runs the tests ({@code JAVA_HOME}), with a larger heap ceiling than production's for the tests'
 * bulk transfers ({@code JAVA_OPTS}, which the launcher puts last).
 */
public final class IttProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private IttProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static IttProcess start(Path log, Map<String, String> env, String... args) throws IOException {
        return startIn(Path.of(""), log, env, args);
    }

    /** Started in {@code workDir}, where it finds {@code config/application.properties}. */
    public static IttProcess startIn(Path workDir, Path log, Map<String, String> env, String... args)
            throws IOException {
        return startWith(launcher(), workDir, log, env, args);
    }

    /** By another copy of the launcher (an image's, laid out by a test). */
    public static IttProcess startWith(Path launcher, Path workDir, Path log, Map<String, String> env,
            String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ITT_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", "-Xmx256m");
        pb.environment().putAll(env);
        return new IttProcess(pb.start(), log);
    }

    /** The launcher the package build wrote. */
    public static Path launcher() {
        Path itt = Path.of(System.getProperty("itt.launcher", "target/quarkus-app/itt")).toAbsolutePath();
        if (!Files.isExecutable(itt)) {
            throw new AssertionError(itt + " is missing: run ./mvnw package first (./test does)");
        }
        return itt;
    }

    public static IttProcess start(Path log, String... args) throws IOException {
        return start(log, Map.of(), args);
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the log contains {@code text}; fails with the log if the process dies or time runs out. */
    public IttProcess awaitLog(String text, Duration timeout) {
        try {
            Await.until("'" + text + "' in the log", timeout, () -> {
                if (!process.isAlive() && !log().contains(text)) {
                    throw new AssertionError("process exited " + process.exitValue() + " before '" + text + "':\n"
                            + log());
                }
                return log().contains(text);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- log ---\n" + log(), e);
        }
        return this;
    }

    /**
     * The port a server end logged for {@code side} ("users" or "agents") once listening: tests bind port 0 and
     * read the real one back, so no other process can take a port between choosing and binding it.
     */
    public int port(String side) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("for " + side + " on [^\\s,]*:(\\d+)").matcher(log());
        if (!m.find()) {
            throw new AssertionError("no port for " + side + " in the log:\n" + log());
        }
        return Integer.parseInt(m.group(1));
    }

    /** How many times {@code text} occurs in the log. */
    public int count(String text) {
        return log().split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

    /** SIGINT (Ctrl-C), then the exit code. */
    public int interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed");
        }
        return awaitExit("SIGINT");
    }

    /** SIGTERM, then the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        return awaitExit("SIGTERM");
    }

    private int awaitExit(String signal) throws InterruptedException {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not stop within 20 s after " + signal + ":\n" + log());
        }
        return process.exitValue();
    }

    /** Sends signal {@code name} ({@code STOP}, {@code CONT}, ...) to the process with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL: the process dies without a word to its peer. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    /** The executable the process runs now: the launcher replaces itself with the JVM it chose. */
    public String command() {
        return process.info().command().orElseThrow(() -> new AssertionError("no command for " + process.pid()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
