package dev.itt.end;

/**
 * The limits on who may connect that an end enforces; {@link #key()} is the configuration key, which is also the
 * {@code limit} tag of {@code itt_limit_hits_total}.
 */
public enum Limit {
    /** A user's address is not in {@code allow}. */
    ALLOW("allow"),
    /** The tunnel already has {@code max-connections} users. */
    MAX_CONNECTIONS("max-connections"),
    /** The user's address already has {@code max-connections-per-source} connections. */
    MAX_CONNECTIONS_PER_SOURCE("max-connections-per-source"),
    /** A user connection was closed after {@code idle-timeout} without a byte either way. */
    IDLE_TIMEOUT("idle-timeout"),
    /** An agent's address is not in {@code agent-allow}. */
    AGENT_ALLOW("agent-allow"),
    /** The tunnel port already has {@code max-handshakes} connections that have not finished the handshake. */
    MAX_HANDSHAKES("max-handshakes"),
    /** The agent's address already has {@code max-handshakes-per-source} connections in the handshake. */
    MAX_HANDSHAKES_PER_SOURCE("max-handshakes-per-source");

    private final String key;

    Limit(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
