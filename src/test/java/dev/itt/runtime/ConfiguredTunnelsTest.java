package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.Role;
import dev.itt.testing.Await;
import dev.itt.testing.Curl;
import dev.itt.testing.Target;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tunnels from configuration, started by Quarkus: readiness, metrics, and curl to nginx through both ends. */
@QuarkusTest
@WithTestResource(NginxTunnelResource.class)
class ConfiguredTunnelsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Inject
    TunnelManager tunnels;

    private HttpResponse<String> get(URL url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bothEndsStartFromConfigurationAndCarryTraffic() throws Exception {
        assertEquals(1, tunnels.ends().stream().filter(e -> e.role() == Role.SERVER).count());
        assertEquals(1, tunnels.ends().stream().filter(e -> e.role() == Role.AGENT).count());
        Await.until("readiness", Duration.ofSeconds(20), () -> {
            try {
                return get(ready).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonObject health = new HealthJson().get(ready);
        assertEquals(new JsonObject(Map.of("name", "web", "status", "UP", "data", Map.of("role", "server", "state",
                "agents-connected", "agents", 1, "streams", 0))), HealthJson.check(health, "web"), health.encode());
        assertEquals("session-up", HealthJson.check(health, "web-agent").getJsonObject("data").getString("state"));

        Path out = Files.createTempFile("itt", ".bin");
        assertEquals("200 " + 10 * 1024 * 1024, Curl.get("http://127.0.0.1:" + NginxTunnelResource.listenPort
                + "/big.bin", out));
        assertArrayEquals(Target.sha256().digest(Files.readAllBytes(NginxTunnelResource.www.resolve("big.bin"))),
                Target.sha256().digest(Files.readAllBytes(out)));

        String m = get(metrics).body();
        assertTrue(m.contains("itt_buffered_bytes{end=\"server\",tunnel=\"web\"}"), m);
        assertTrue(m.contains("itt_buffered_bytes_peak{end=\"agent\",tunnel=\"web-agent\"}"), m);
        assertTrue(m.contains("itt_ready{end=\"agent\",tunnel=\"web-agent\"} 1.0"), m);
        assertTrue(m.contains("itt_agents{end=\"server\",tunnel=\"web\"} 1.0"), m);
    }
}
