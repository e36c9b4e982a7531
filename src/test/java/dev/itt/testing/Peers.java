package dev.itt.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real programs the tests talk to (nginx, microsocks, tinyproxy, curl), from Debian packages. A missing
 * one fails the test loudly with what to install; it is never skipped.
 */
public final class Peers {
    private Peers() {}

    public static String require(String program, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin")) {
            File f = new File(dir, program);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new AssertionError(program + " is not installed: this test needs the Debian package " + debianPackage
                + " (./test installs it)");
    }

    /** A started program; {@link #close()} stops it. Output goes to a log file that failures can quote. */
    public static final class Process implements AutoCloseable {
        private final java.lang.Process process;
        private final Path log;

        private Process(java.lang.Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        public static Process start(Path log, String... command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            return new Process(pb.start(), log);
        }

        public String log() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public java.lang.Process process() {
            return process;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs a command to completion and returns its output; fails the test on a non-zero exit. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true);
        java.lang.Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
