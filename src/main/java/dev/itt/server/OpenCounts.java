package dev.itt.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Connections of one kind open at once, in all and per source address, held to a cap on each: the users at
 * {@code listen}, or the tunnel connections still in the handshake. A source is kept only while it has a connection
 * counted, so the table never holds more entries than connections. A null source (a Unix-socket peer) counts in
 * the total only. Belongs to the end's event loop.
 */
final class OpenCounts {
    private final int max;
    private final int maxPerSource;
    private final Map<InetAddress, int[]> perSource = new HashMap<>();
    private int open;

    OpenCounts(int max, int maxPerSource) {
        this.max = max;
        this.maxPerSource = maxPerSource;
    }

    int max() {
        return max;
    }

    int maxPerSource() {
        return maxPerSource;
    }

    /** Whether the total is at its cap. */
    boolean full() {
        return open >= max;
    }

    /** Whether {@code source} is at its cap (never for a null source). */
    boolean fullFrom(InetAddress source) {
        int[] n = source == null ? null : perSource.get(source);
        return n != null && n[0] >= maxPerSource;
    }

    void add(InetAddress source) {
        open++;
        if (source != null) {
            perSource.computeIfAbsent(source, s -> new int[1])[0]++;
        }
    }

    void remove(InetAddress source) {
        open--;
        if (source != null) {
            int[] n = perSource.get(source);
            if (n != null && --n[0] == 0) {
                perSource.remove(source);
            }
        }
    }
}
