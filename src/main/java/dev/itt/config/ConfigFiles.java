package dev.itt.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The configuration files of a running process that an operator can edit, and the configuration read from them
 * again: the sources Quarkus read at start-up, with those that come from a file on disk replaced by that file's
 * content now, everything else (environment, system properties, defaults) as it was.
 *
 * <p>Which files: every properties file Quarkus read from the file system ({@code config/application.properties}
 * in the working directory, files named in {@code quarkus.config.locations}), and {@code config/application.properties}
 * also when it did not exist at start-up (ordinal 260, as Quarkus gives it), so that a ConfigMap mounted later
 * counts. In dev mode the application's own {@code application.properties} is read where the developer edits it,
 * under {@code src/main/resources}, not the copy Quarkus keeps in {@code target/classes}. A file inside a jar
 * cannot change and is kept as read.
 */
public final class ConfigFiles {
    /** Quarkus' ordinal for {@code config/application.properties} in the working directory. */
    static final int WORKING_DIR_ORDINAL = 260;
    static final Path WORKING_DIR_FILE = Path.of("config", "application.properties");

    /** A source read from a file: its name and ordinal as Quarkus gave them, and the file to read again. */
    private record FileSource(String name, int ordinal, Path file) {}

    private final SmallRyeConfig live;
    private final List<FileSource> files;

    private ConfigFiles(SmallRyeConfig live, List<FileSource> files) {
        this.live = live;
        this.files = List.copyOf(files);
    }

    /**
     * @param live the configuration Quarkus built at start-up
     * @param workDir the working directory, where {@code config/application.properties} is looked for
     * @param dev dev mode: read the application's {@code application.properties} from the sources
     */
    public static ConfigFiles of(SmallRyeConfig live, Path workDir, boolean dev) {
        List<FileSource> files = new ArrayList<>();
        Path workingDirFile = workDir.resolve(WORKING_DIR_FILE).toAbsolutePath().normalize();
        boolean workingDirSeen = false;
        for (ConfigSource source : live.getConfigSources()) {
            Path file = fileOf(source);
            if (file == null) {
                continue;
            }
            if (dev) {
                file = editedSource(file, workDir);
            }
            workingDirSeen |= file.equals(workingDirFile);
            files.add(new FileSource(source.getName(), source.getOrdinal(), file));
        }
        if (!workingDirSeen) {
            files.add(new FileSource("PropertiesConfigSource[source=" + workingDirFile.toUri() + "]",
                    WORKING_DIR_ORDINAL, workingDirFile));
        }
        return new ConfigFiles(live, files);
    }

    /** The file a properties source was read from, or null for any other source (environment, jar, defaults). */
    private static Path fileOf(ConfigSource source) {
        String name = source.getName();
        if (!(source instanceof PropertiesConfigSource) || name == null) {
            return null;
        }
        int start = name.indexOf("[source=file:");
        if (start < 0 || !name.endsWith("]")) {
            return null;
        }
        try {
            return Path.of(URI.create(name.substring(start + "[source=".length(), name.length() - 1)))
                    .toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Dev mode's copy in {@code target/classes} stands for the file under {@code src/main/resources}. */
    private static Path editedSource(Path file, Path workDir) {
        Path classes = workDir.resolve("target/classes").toAbsolutePath().normalize();
        if (file.startsWith(classes)) {
            Path edited = workDir.resolve("src/main/resources").toAbsolutePath().normalize()
                    .resolve(classes.relativize(file));
            if (Files.isRegularFile(edited)) {
                return edited;
            }
        }
        return file;
    }

    /** The files, as an operator would name them. */
    public List<Path> paths() {
        return files.stream().map(FileSource::file).toList();
    }

    /** What the files hold now, as one value to compare with an earlier one (a missing file counts as such). */
    public String fingerprint() {
        byte[][] parts = new byte[files.size()][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = bytes(files.get(i).file());
        }
        return FileWatcher.fingerprint(parts);
    }

    /**
     * The configuration as the files say now.
     *
     * @throws ConfigException with every problem SmallRye finds in the mapping (a key it does not know, a value it
     *     cannot convert), or a file that cannot be read
     */
    public SmallRyeConfig read(Map<String, String> env) {
        Map<String, FileSource> byName = new HashMap<>();
        files.forEach(f -> byName.put(f.name(), f));
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withProfiles(live.getProfiles())
                .addDefaultInterceptors()
                .withMapping(IttConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withInterceptors(new TunnelEnvironment(env));
        List<String> problems = new ArrayList<>();
        for (ConfigSource source : live.getConfigSources()) {
            if (!byName.containsKey(source.getName())) {
                builder.withSources(source);
            }
        }
        for (FileSource f : files) {
            try {
                builder.withSources(new PropertiesConfigSource(properties(f.file()), f.name(), f.ordinal()));
            } catch (IOException | IllegalArgumentException e) {
                problems.add(f.file() + ": cannot be read: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        try {
            return builder.build();
        } catch (ConfigValidationException e) {
            for (int i = 0; i < e.getProblemCount(); i++) {
                problems.add(withoutExceptionName(e.getProblem(i).getMessage()));
            }
            throw new ConfigException(problems);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(List.of(String.valueOf(e.getMessage())));
        }
    }

    /** SmallRye prefixes a conversion's problem with the exception's class name, which tells an operator nothing. */
    private static String withoutExceptionName(String problem) {
        return problem.replaceFirst("^[a-z]+(\\.[a-z]+)+\\.[A-Za-z]*(Exception|Error): ", "");
    }

    private static Map<String, String> properties(Path file) throws IOException {
        byte[] bytes = bytes(file);
        Map<String, String> values = new LinkedHashMap<>();
        if (bytes != null) {
            Properties p = new Properties();
            p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
        }
        return values;
    }

    /** The file's bytes, or null if it does not exist (a file not mounted yet, or removed). */
    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // unreadable now (a ConfigMap being swapped): a value that differs from every content, so the next
            // poll looks again
            return ("unreadable: " + e).getBytes(StandardCharsets.UTF_8);
        }
    }
}
