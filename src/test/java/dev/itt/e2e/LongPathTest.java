package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.SessionConfig;
import dev.itt.testing.Await;
import dev.itt.testing.DelayRelay;
import dev.itt.testing.LogCapture;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Window auto-tuning (PROTOCOL.md §7.2) across a delaying relay between the agent and the server end: a download's
 * receive window at the server end grows to what the path needs, and no further. Read from the server end's DEBUG
 * line for each growth.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LongPathTest {
    private static final Pattern GROWTH = Pattern.compile("receive window (\\d+) -> (\\d+) bytes");
    private static final Duration ONE_WAY = Duration.ofMillis(20);
    private static final int CAP = 16 * 1024 * 1024;

    /**
     * 40 ms round trip at 8 MB/s: the bandwidth-delay product is 320 KB. The window must hold at least that, or the
     * window and not the link would limit the stream; it must stop far below the 16 MiB cap, since more only
     * queues in the link's buffer (which also makes the round trip look longer under load).
     */
    @Test
    void onANarrowLongPathTheWindowGrowsToTheBandwidthDelayProductAndStopsThere() throws Exception {
        long rate = 8_000_000;
        long bdp = rate * 2 * ONE_WAY.toMillis() / 1000;
        List<Long> windows = download(24L * 1024 * 1024, rate);
        long last = windows.get(windows.size() - 1);
        assertTrue(last >= bdp, "the window reached the path's bandwidth-delay product (" + bdp + " B): " + windows);
        assertTrue(last <= 8 * bdp, "and stopped within a few times it (" + 8 * bdp + " B), far below the cap "
                + CAP + ": " + windows);
    }

    /** The same round trip without a rate limit: the path takes whatever is sent, so the window goes to its cap. */
    @Test
    void onAFatLongPathTheWindowGrowsToItsCapAndNoFurther() throws Exception {
        List<Long> windows = download(64L * 1024 * 1024, 0);
        assertEquals(CAP, windows.get(windows.size() - 1), "the last growth reached the cap: " + windows);
        assertFalse(windows.stream().anyMatch(w -> w > CAP), "never past it: " + windows);
    }

    /** Downloads {@code size} bytes through the tunnel across the relay; returns the window after each growth. */
    private static List<Long> download(long size, long rate) throws Exception {
        SessionConfig session = TestConfigs.session("t", null, Map.of("max-stream-window", String.valueOf(CAP)));
        try (LogCapture log = LogCapture.start("dev.itt.mux.CreditFlow", Level.FINE);
                Target source = Target.tcp(Target.Mode.SOURCE, size);
                TunnelFixture t = new TunnelFixture().session(session).startServer();
                DelayRelay relay = DelayRelay.start(t.server.tunnelPort(), ONE_WAY, rate)) {
            t.startAgent("127.0.0.1:" + relay.port(), source.address(), null);
            Await.until("the agent to connect through the relay", TunnelFixture.WAIT,
                    () -> t.server.stats().agents() == 1);
            try (Socket user = Users.connect(t.userPort())) {
                MessageDigest sha = Target.sha256();
                InputStream in = user.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) {
                    sha.update(buf, 0, n);
                }
                assertEquals(size, total, "the user got every byte");
                assertArrayEquals(Target.sourceDigest(size), sha.digest());
            }
            List<Long> windows = log.matching("receive window").stream().map(line -> {
                Matcher m = GROWTH.matcher(line);
                assertTrue(m.find(), line);
                return Long.parseLong(m.group(2));
            }).toList();
            assertFalse(windows.isEmpty(), "the window grew at least once");
            System.out.printf("long path at %d B/s: the window grew to %s%n", rate, windows);
            return windows;
        }
    }
}
