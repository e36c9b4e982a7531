package dev.itt.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * The address blocks allowed to connect, or everyone when the list was not configured. A peer that is not an IP
 * address (a Unix-socket user) is never this list's business: {@link #allows} lets it through.
 */
public record AllowList(List<Cidr> blocks) {
    /** No list configured: every address may connect. */
    public static final AllowList EVERYONE = new AllowList(null);

    public static AllowList of(List<String> values) {
        return new AllowList(values.stream().map(Cidr::parse).toList());
    }

    /** Whether a list was configured. */
    public boolean restricts() {
        return blocks != null;
    }

    public boolean allows(SocketAddress peer) {
        if (blocks == null || !(peer instanceof InetSocketAddress inet)) {
            return true;
        }
        InetAddress address = inet.getAddress();
        if (address == null) {
            return false; // an unresolved address matches no block
        }
        for (Cidr block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return blocks == null ? "everyone" : blocks.toString();
    }
}
