package dev.itt.config;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Who may connect to a server end, and for how long (docs/SECURITY.md, "Who may connect"): the users' and the
 * agents' allow lists, the connection limits at {@code listen}, the limits on tunnel connections still in the
 * handshake at {@code tunnel}, the idle timeout of a user connection, and the mode and group of a Unix-socket
 * {@code listen}.
 *
 * @param allow who may connect to {@code listen} (TCP only)
 * @param agentAllow who may connect to {@code tunnel} (TCP only)
 * @param maxConnections user connections open at once on the tunnel; {@link #UNLIMITED} for no limit
 * @param maxConnectionsPerSource user connections open at once from one IP address; {@link #UNLIMITED} for none
 * @param idleTimeout a user connection with no bytes either way for this long is closed; null for never
 * @param maxHandshakes tunnel connections that have not finished the handshake, at once
 * @param maxHandshakesPerSource the same from one IP address
 * @param listenMode the permissions a Unix-socket {@code listen} gets
 * @param listenGroup the group a Unix-socket {@code listen} gets, or null to keep the process's
 */
public record Access(AllowList allow, AllowList agentAllow, int maxConnections, int maxConnectionsPerSource,
        Duration idleTimeout, int maxHandshakes, int maxHandshakesPerSource, Set<PosixFilePermission> listenMode,
        String listenGroup) {
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /**
     * The access keys of one server tunnel, checked; each problem goes to {@code problem} as (key, message).
     *
     * @param listen the parsed {@code listen} address, or null if it was invalid
     */
    static Access of(TunnelConfig c, Endpoint listen, BiConsumer<String, String> problem) {
        AllowList allow = allowList("allow", c.allow(), problem);
        AllowList agentAllow = allowList("agent-allow", c.agentAllow(), problem);
        int max = limit("max-connections", c.maxConnections(), problem);
        int perSource = limit("max-connections-per-source", c.maxConnectionsPerSource(), problem);
        Duration idle = c.idleTimeout().orElse(null);
        if (idle != null && (idle.isNegative() || idle.isZero())) {
            problem.accept("idle-timeout", idle + " must be positive (leave it unset for no idle timeout)");
        }
        int handshakes = atLeastOne("max-handshakes", c.maxHandshakes(), problem);
        // a per-source cap above the total is allowed: the total is then the one that binds (CONFIGURATION.md §2)
        int handshakesPerSource = atLeastOne("max-handshakes-per-source", c.maxHandshakesPerSource(), problem);
        Set<PosixFilePermission> mode = mode(c.listenMode(), problem);
        String group = c.listenGroup().map(String::trim).filter(g -> !g.isEmpty()).orElse(null);
        if (group != null && listen != null && !(listen instanceof Endpoint.Unix)) {
            problem.accept("listen-group", "applies only to a unix: listen address, and listen is " + listen);
        }
        return new Access(allow, agentAllow, max, perSource, idle, handshakes, handshakesPerSource, mode, group);
    }

    private static AllowList allowList(String key, Optional<List<String>> values, BiConsumer<String, String> problem) {
        if (values.isEmpty()) {
            return AllowList.EVERYONE;
        }
        try {
            return AllowList.of(values.get());
        } catch (IllegalArgumentException e) {
            problem.accept(key, e.getMessage());
            return AllowList.EVERYONE;
        }
    }

    private static int limit(String key, OptionalInt value, BiConsumer<String, String> problem) {
        if (value.isEmpty()) {
            return UNLIMITED;
        }
        if (value.getAsInt() < 1) {
            problem.accept(key, value.getAsInt() + " must be at least 1 (leave it unset for no limit)");
        }
        return value.getAsInt();
    }

    private static int atLeastOne(String key, int value, BiConsumer<String, String> problem) {
        if (value < 1) {
            problem.accept(key, value + " must be at least 1");
        }
        return value;
    }

    private static Set<PosixFilePermission> mode(String value, BiConsumer<String, String> problem) {
        String v = value.trim();
        if (!v.matches("0?[0-7]{3}")) {
            problem.accept("listen-mode", "'" + value + "' is not an octal file mode from 000 to 777, such as 0660");
            return Set.of(); // never used: the problem stops the start
        }
        int bits = Integer.parseInt(v, 8);
        StringBuilder rwx = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int three = bits >> shift & 7;
            rwx.append((three & 4) != 0 ? 'r' : '-')
                    .append((three & 2) != 0 ? 'w' : '-')
                    .append((three & 1) != 0 ? 'x' : '-');
        }
        return PosixFilePermissions.fromString(rwx.toString());
    }
}
