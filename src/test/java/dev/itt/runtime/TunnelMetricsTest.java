package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The meters of a real server end, as Prometheus text. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunnelMetricsTest {

    /** The sample of {@code itt_limit_hits_total} for tunnel t and {@code limit}, or null if there is none. */
    private static String hits(PrometheusMeterRegistry registry, String limit) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^itt_limit_hits_total\\{end=\"server\",limit=\""
                + limit + "\",tunnel=\"t\",?} (\\S+)$").matcher(registry.scrape());
        return m.find() ? m.group(1) : null;
    }

    @Test
    void limitHitsAreCountedPerTunnelAndLimit() throws Exception {
        TunnelMetrics metrics = new TunnelMetrics();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.registry = registry;
        try (TunnelFixture t = new TunnelFixture().access(TestConfigs.access(Map.of("allow", "10.0.0.0/8")))
                .startServer()) {
            metrics.register(t.server);
            for (String limit : new String[] {"allow", "agent-allow", "max-connections", "max-connections-per-source",
                    "idle-timeout", "max-handshakes", "max-handshakes-per-source"}) {
                assertEquals("0.0", hits(registry, limit), limit + " is reported from the start");
            }
            for (int i = 0; i < 3; i++) {
                try (Socket s = Users.connect(t.userPort())) {
                    assertTrue(s.getInputStream().read() == -1, "refused");
                }
            }
            Await.until("three hits", TunnelFixture.WAIT, () -> "3.0".equals(hits(registry, "allow")));
            assertEquals("0.0", hits(registry, "max-connections"));
            metrics.clear();
            assertNull(hits(registry, "allow"), "removed with the tunnel");
        }
    }
}
