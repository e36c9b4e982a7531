package dev.itt.mux;

/**
 * Credit we have granted the peer (docs/PROTOCOL.md §7). Bytes are <em>received</em> when a DATA frame arrives
 * and <em>consumed</em> when the local socket has taken them; credit goes back only on consume, in one
 * WINDOW_UPDATE once the unreturned bytes reach half the window. Auto-tuning (§7.2): when the reader drained those
 * bytes in less than a round trip, the window is what limits the stream; it then grows to what that rate needs over
 * two round trips, and at least doubles, up to a cap.
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
        if (updatedBefore && rttNanos > 0 && window < maxWindow) {
            long needed = neededWindow(increment, nowNanos - lastUpdateNanos, rttNanos);
            if (needed > window) {
                int target = (int) Math.min(maxWindow, Math.max(needed, 2L * window));
                increment += target - window;
                window = target;
            }
        }
        lastUpdateNanos = nowNanos;
        updatedBefore = true;
        available += increment;
        return increment;
    }

    /** Bytes drained per two round trips at this interval's rate; the cap when the interval took no time. */
    private long neededWindow(int drained, long intervalNanos, long rttNanos) {
        if (intervalNanos <= 0) {
            return maxWindow;
        }
        return (long) Math.min(maxWindow, 2.0 * drained * rttNanos / intervalNanos);
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
