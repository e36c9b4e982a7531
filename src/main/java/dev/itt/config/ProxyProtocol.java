package dev.itt.config;

/**
 * The PROXY protocol header an agent writes first on each upstream connection (HAProxy's proxy-protocol.txt), so
 * that the upstream learns the user's address and not the agent's: {@code itt.tunnels.NAME.proxy-protocol}.
 */
public enum ProxyProtocol {
    /** No header: the upstream sees the agent's address, as without ITT it would see a client's. */
    NONE,
    /** Version 1, one line of text: {@code PROXY TCP4 192.0.2.10 198.51.100.20 51000 443}. */
    V1,
    /** Version 2, binary. */
    V2;

    /** {@code none}, {@code v1} or {@code v2}. */
    static ProxyProtocol parse(String value) {
        return switch (value) {
            case "none" -> NONE;
            case "v1" -> V1;
            case "v2" -> V2;
            default -> throw new IllegalArgumentException(
                    "'" + value + "' is not a PROXY protocol version; use none, v1 or v2");
        };
    }
}
