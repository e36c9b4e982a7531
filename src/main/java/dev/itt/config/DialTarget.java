package dev.itt.config;

/**
 * An address to dial, and whether it goes through the tunnel's proxy: the seed's rule is that a proxy routes
 * nothing until a target carries the {@code proxy:} prefix, for {@code downstream} and {@code upstream} alike.
 */
public record DialTarget(Endpoint endpoint, boolean viaProxy) {

    public static DialTarget parse(String value) {
        if (value != null && value.trim().startsWith("proxy:")) {
            Endpoint endpoint = Endpoint.parse(value.trim().substring("proxy:".length()));
            if (endpoint instanceof Endpoint.Unix) {
                throw new IllegalArgumentException("'" + value + "': a unix socket cannot be dialed through a proxy");
            }
            return new DialTarget(endpoint, true);
        }
        return new DialTarget(Endpoint.parse(value), false);
    }

    @Override
    public String toString() {
        return viaProxy ? "proxy:" + endpoint : endpoint.toString();
    }
}
