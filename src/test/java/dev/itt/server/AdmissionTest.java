package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.config.Endpoint;
import dev.itt.end.Limit;
import dev.itt.testing.LogCapture;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import dev.itt.vertx.Connection;
import io.vertx.core.net.NetServer;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Admission} behind a plain Vert.x listener on loopback, with a short log interval: the counts of
 * suppressed refusals are logged by its own timer once the interval is over, with no further refusal to trigger it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdmissionTest {

    @Test
    void theCountOfSuppressedRefusalsIsLoggedWhenTheIntervalIsOver() throws Exception {
        try (TunnelFixture t = new TunnelFixture(); LogCapture log = LogCapture.start()) {
            Admission admission = new Admission(t.vertx, "a", TestConfigs.access(Map.of("allow", "10.0.0.0/8")),
                    Endpoint.parse("127.0.0.1:0"), Endpoint.parse("127.0.0.1:0"), TimeUnit.MILLISECONDS.toNanos(300));
            NetServer server = TunnelFixture.join(t.vertx.createNetServer()
                    .connectHandler(s -> admission.admitUser(s, Connection.remoteAddress(s))).listen(0, "127.0.0.1"));
            for (int i = 0; i < 5; i++) {
                try (Socket s = Users.connect(server.actualPort())) {
                    assertEquals(-1, s.getInputStream().read(), "refused");
                }
            }
            String summary = log.await("4 more connection(s) from 127.0.0.1 refused by allow in the 300 ms");
            assertTrue(summary.startsWith("INFO") && summary.contains("tunnel a: "), summary);
            assertEquals(1, log.matching("refused: not in allow").size());
            assertEquals(5, admission.hits().count(Limit.ALLOW));
            TunnelFixture.join(server.close());
        }
    }
}
