package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDKs installed beside the one running the tests (in the folder that holds its home, links resolved), found by
 * their {@code release} files as the launcher's {@code jdk} finds them. Tests that need a second JDK take it from
 * here and fail, naming the folder, where there is none.
 */
public final class Jdks {
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private Jdks() {}

    /** The home of the JDK running the tests, links resolved. */
    public static Path current() {
        try {
            return Path.of(System.getProperty("java.home")).toRealPath();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The major version in {@code home}'s release file, if it has one. */
    public static Optional<Integer> major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A JDK of major version {@code major} or later beside the current one (the newest such); fails if none. */
    public static Path atLeast(int major) {
        Path folder = current().getParent();
        try (Stream<Path> homes = Files.list(folder)) {
            List<Path> found = homes.filter(h -> Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> major(h).orElse(0) >= major)
                    .sorted(Comparator.comparing((Path h) -> major(h).orElse(0)).reversed()).toList();
            if (found.isEmpty()) {
                throw new AssertionError("this test needs a JDK " + major + " or later in " + folder);
            }
            return found.get(0).toRealPath();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
