package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.testing.Await;
import dev.itt.testing.Prometheus;
import dev.itt.testing.Target;
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

    @Test
    void oneEndsMetersGoWithoutTheOthers() throws Exception {
        TunnelMetrics metrics = new TunnelMetrics();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.registry = registry;
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            AgentEnd agent = t.connectedAgent(echo.address());
            metrics.register(t.server);
            metrics.register(agent);
            Prometheus both = Prometheus.parse(registry.scrape());
            assertEquals(1.0, both.value("itt_sessions_opened_total", "tunnel", "t", "end", "agent"), both.toString());
            assertEquals(1.0, both.value("itt_sessions_opened_total", "tunnel", "t", "end", "server"));
            metrics.unregister(agent);
            Prometheus one = Prometheus.parse(registry.scrape());
            assertTrue(one.samples("itt_streams_opened_total").stream()
                    .noneMatch(s -> "agent".equals(s.labels().get("end"))), "the agent's meters are gone:\n" + one);
            assertEquals(0.0, one.value("itt_stream_open_seconds_count", "tunnel", "t", "end", "server"),
                    "the server end's stay");
            assertEquals(1.0, one.value("itt_agents", "tunnel", "t", "end", "server"));
            try (Socket s = Users.connect(t.userPort())) {
                Users.echoes(s, new byte[100], 0, 100);
            }
            Await.until("the server end's open time", TunnelFixture.WAIT, () -> Double.valueOf(1.0).equals(
                    Prometheus.parse(registry.scrape()).value("itt_stream_open_seconds_count", "tunnel", "t",
                            "end", "server")));
            metrics.clear();
            assertTrue(Prometheus.parse(registry.scrape()).samples("itt_agents").isEmpty(), "all gone");
        }
    }
}
