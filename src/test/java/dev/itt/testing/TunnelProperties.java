package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Configuration files as the reload tests write them: tunnels as properties, edits as one rename. */
public final class TunnelProperties {
    private TunnelProperties() {}

    /**
     * A server end and its agent in one process: users on {@code host:listen}, the agent dialing
     * {@code host:tunnel} and opening {@code upstream}; each key after {@code prefix} ({@code ""}, or {@code "%dev."}).
     */
    public static String pair(String prefix, String host, String name, int listen, int tunnel, String upstream) {
        String server = prefix + "itt.tunnels." + name + ".";
        String agent = prefix + "itt.tunnels." + name + "-agent.";
        return String.join("\n",
                server + "listen=" + host + ":" + listen,
                server + "tunnel=" + host + ":" + tunnel,
                agent + "name=" + name,
                agent + "downstream=" + host + ":" + tunnel,
                agent + "upstream=" + upstream,
                agent + "reconnect-min=20ms",
                "");
    }

    /** Replaces the file in one rename, as a ConfigMap update does (never a half-written file). */
    public static void replace(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
