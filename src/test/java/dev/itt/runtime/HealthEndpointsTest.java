package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.end.TunnelEnd;
import dev.itt.testing.Await;
import dev.itt.testing.Users;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The three health endpoints of a running application, read as a probe reads them, with the tunnels of
 * {@link HealthTunnelResource}: one readiness check per tunnel, liveness naming a blocked event loop, start-up.
 * The drain runs last: it stops {@code served} for good.
 */
@QuarkusTest
@WithTestResource(HealthTunnelResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/health/live")
    URL live;

    @TestHTTPResource("/q/health/started")
    URL started;

    @Inject
    TunnelManager tunnels;

    @Inject
    Vertx vertx;

    private final HealthJson probe = new HealthJson();

    /** Waits until a GET of {@code url} answers in time with a body that {@code test} accepts; returns it. */
    private JsonObject awaitHealth(String what, URL url, Predicate<JsonObject> test) {
        JsonObject[] seen = new JsonObject[1];
        Await.until(what, WAIT, () -> {
            try {
                seen[0] = probe.get(url, PROBE_TIMEOUT);
                return test.test(seen[0]);
            } catch (java.io.IOException e) {
                return false; // this connection's loop may be the blocked one: the next GET gets a new one
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        return seen[0];
    }

    private static JsonObject data(JsonObject health, String check) {
        return HealthJson.check(health, check).getJsonObject("data");
    }

    private static String status(JsonObject health, String check) {
        return HealthJson.check(health, check).getString("status");
    }

    @Test
    @Order(1)
    void eachTunnelHasAReadinessCheckAndAServerEndWithoutAgentIsNotReady() throws Exception {
        JsonObject health = awaitHealth("served's agent to connect", ready,
                h -> "UP".equals(status(h, "served")) && "UP".equals(status(h, "served-agent")));
        assertEquals("DOWN", health.getString("status"), "lonely has no agent: " + health.encode());
        assertEquals(new JsonObject(Map.of("name", "lonely", "status", "DOWN", "data", Map.of("role", "server",
                "state", "listening", "agents", 0, "streams", 0))), HealthJson.check(health, "lonely"));
        assertEquals(new JsonObject(Map.of("name", "relaxed", "status", "UP", "data", Map.of("role", "server",
                "state", "listening", "agents", 0, "streams", 0))), HealthJson.check(health, "relaxed"),
                "ready-requires-agent=false: listening is enough");
        assertEquals(new JsonObject(Map.of("role", "server", "state", "agents-connected", "agents", 1, "streams", 0)),
                data(health, "served"));
        assertEquals(new JsonObject(Map.of("role", "agent", "state", "session-up", "streams", 0)),
                data(health, "served-agent"));
        assertEquals("UP", status(health, TunnelReadiness.NAME));
        assertEquals(4, data(health, TunnelReadiness.NAME).getInteger("tunnels"));
    }

    @Test
    @Order(2)
    void startupIsUpOnceEveryTunnelWasStarted() throws Exception {
        JsonObject health = probe.get(started);
        assertEquals("UP", health.getString("status"), health.encode());
        assertEquals(new JsonObject(Map.of("name", "itt tunnels started", "status", "UP", "data",
                Map.of("tunnels", 4))), HealthJson.check(health, "itt tunnels started"));
    }

    @Test
    @Order(3)
    void aBlockedEventLoopMakesLivenessDownNamingTheLoopAndHowLong() throws Exception {
        JsonObject before = probe.get(live);
        assertEquals("UP", before.getString("status"), before.encode());
        String loop = data(before, "itt event loops").getMap().entrySet().stream()
                .filter(e -> String.valueOf(e.getValue()).matches("answered .* \\(tunnels .*\\blonely\\b.*\\)"))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no loop serves lonely: " + before.encode()));

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        EventExecutor executor = loopNamed(loop);
        try {
            executor.execute(() -> {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS); // bounded, whatever the test does
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the block runs on " + loop);
            JsonObject down = awaitHealth("liveness to see " + loop + " blocked", live,
                    h -> "DOWN".equals(h.getString("status")));
            String said = data(down, "itt event loops").getString(loop);
            Matcher m = Pattern.compile("blocked: no answer for (\\d+\\.\\d) s \\(tunnels .*\\blonely\\b.*\\)")
                    .matcher(said);
            assertTrue(m.matches(), said);
            assertTrue(Double.parseDouble(m.group(1)) >= EventLoopLiveness.BLOCKED_AFTER.toSeconds(), said); // rounded
        } finally {
            release.countDown();
        }
        awaitHealth("liveness to be UP again", live, h -> "UP".equals(h.getString("status")));
    }

    /** The Netty event loop of Quarkus' Vert.x whose thread has this name. */
    private EventExecutor loopNamed(String name) throws Exception {
        for (EventExecutor e : vertx.nettyEventLoopGroup()) {
            if (name.equals(e.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))) {
                return e;
            }
        }
        throw new AssertionError("no event loop named " + name);
    }

    @Test
    @Order(4)
    void readinessGoesDownWhileTheServerEndDrains() throws Exception {
        TunnelEnd served = tunnels.ends().stream().filter(e -> e.name().equals("served")).findFirst().orElseThrow();
        awaitHealth("served to be ready", ready, h -> "UP".equals(status(h, "served")));
        Future<Void> stopped;
        try (Socket user = Users.connect(HealthTunnelResource.servedListenPort)) {
            Users.echoes(user, "held open".getBytes(StandardCharsets.US_ASCII), 0, 9);
            stopped = served.stop(); // the open stream keeps the drain going until the user leaves
            // the stream count comes from the snapshot the loop publishes once a second
            JsonObject draining = awaitHealth("served to drain its one stream", ready,
                    h -> "draining".equals(data(h, "served").getString("state"))
                            && data(h, "served").getInteger("streams") == 1);
            assertEquals("DOWN", status(draining, "served"), draining.encode());
        }
        JsonObject after = awaitHealth("served to stop", ready,
                h -> "stopped".equals(data(h, "served").getString("state")));
        assertEquals("DOWN", status(after, "served"), after.encode());
        stopped.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
