package dev.itt.mux;

/**
 * Credit we have granted the peer (docs/PROTOCOL.md §7). Bytes are <em>received</em> when a DATA frame arrives
 * and <em>consumed</em> when the local socket has taken them; credit goes back only on consume, in one
 * WINDOW_UPDATE once the unreturned bytes reach half the window. When updates follow each other within two
 * round trips, the window is what limits the stream, so it doubles, up to a cap (auto-tuning, as HTTP/2 and QUIC
 * stacks do from a bandwidth-delay estimate).
 */
final class ReceiveWindow {
    private final int maxWindow;
    private int window;
    private long available;
    private int unreturned;
    private long lastUpdateNanos;
    private boolean updatedBefore;

    ReceiveWindow(int initial, int maxWindow) {
        this.window = initial;
        this.available = initial;
        this.maxWindow = Math.max(initial, maxWindow);
    }

    /** Takes {@code bytes} from the peer's credit; false when the peer sent more than it was granted. */
    boolean receive(int bytes) {
        if (bytes > available) {
            return false;
        }
        available -= bytes;
        return true;
    }

    /**
     * Records consumed bytes; returns the increment to send in a WINDOW_UPDATE now, or 0.
     *
     * @param rttNanos the session's round-trip estimate, 0 when unknown (no auto-tuning then)
     */
    int consume(int bytes, long nowNanos, long rttNanos) {
        unreturned += bytes;
        if (unreturned < window / 2) {
            return 0;
        }
        int increment = unreturned;
        unreturned = 0;
        if (updatedBefore && rttNanos > 0 && window < maxWindow && nowNanos - lastUpdateNanos < 2 * rttNanos) {
            int growth = Math.min(window, maxWindow - window);
            window += growth;
            increment += growth;
        }
        lastUpdateNanos = nowNanos;
        updatedBefore = true;
        available += increment;
        return increment;
    }

    /** Raises the window to {@code target} at once; returns the increment to announce, or 0. */
    int growTo(int target) {
        if (target <= window) {
            return 0;
        }
        int increment = target - window;
        window = target;
        available += increment;
        return increment;
    }

    int window() {
        return window;
    }
}
