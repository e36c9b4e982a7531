package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A directory laid out as the kubelet lays out a mounted Secret: each file name is a symlink into {@code ..data},
 * itself a symlink to a versioned directory, and an update renames a new {@code ..data} over the old one, so a
 * reader sees every file of one version or every file of the next, never a mix.
 */
public final class MountedSecret {
    private final Path dir;

    public MountedSecret(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** The path a workload is configured with for {@code name}. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /**
     * Publishes a new version, atomically; each entry is a file name and what it holds. A name may have folders
     * ({@code tls/tls.crt}, as a projected volume's item path): its first part is the symlink into {@code ..data}.
     */
    public void publish(String version, Map<String, byte[]> files) throws IOException {
        Path v = Files.createDirectories(dir.resolve(".." + version));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = v.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, f.getValue());
        }
        Path data = dir.resolve("..data");
        if (!Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(data, v.getFileName());
        } else {
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v.getFileName());
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        for (String name : files.keySet()) {
            Path top = Path.of(name).getName(0);
            if (!Files.exists(dir.resolve(top), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(top), Path.of("..data").resolve(top));
            }
        }
    }

    /** The bytes of files the test already has, for {@link #publish}. */
    public static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
