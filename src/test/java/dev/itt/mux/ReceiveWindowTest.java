package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.WireConstants;
import org.junit.jupiter.api.Test;

/** A stream's receive window on its own: the auto-tuning of PROTOCOL.md §7.2. */
class ReceiveWindowTest {

    @Test
    void windowsGrowWhenTheRoundTripIsTheLimitAndStayUnderTheCap() {
        ReceiveWindow w = new ReceiveWindow(WireConstants.INITIAL_STREAM_WINDOW, 4 * 1024 * 1024);
        long rtt = 50_000_000L; // 50 ms
        long now = 1_000_000_000L;
        int granted = 0;
        for (int i = 0; i < 100; i++) {
            assertTrue(w.receive(w.window() / 2));
            now += rtt / 4; // consumed fast: updates come well within two round trips
            granted += w.consume(w.window() / 2, now, rtt);
        }
        assertEquals(4 * 1024 * 1024, w.window(), "grew to the cap, not past it");
        assertTrue(granted > 0);

        ReceiveWindow slow = new ReceiveWindow(WireConstants.INITIAL_STREAM_WINDOW, 4 * 1024 * 1024);
        for (int i = 0; i < 100; i++) {
            assertTrue(slow.receive(slow.window() / 2));
            now += 3 * rtt; // the receiver, not the path, is the limit
            slow.consume(slow.window() / 2, now, rtt);
        }
        assertEquals(WireConstants.INITIAL_STREAM_WINDOW, slow.window(), "no growth when the window is not the limit");
    }
}
