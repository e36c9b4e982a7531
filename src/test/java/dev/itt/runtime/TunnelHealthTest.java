package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.itt.agent.AgentEnd;
import dev.itt.end.EndState;
import dev.itt.end.TunnelEnd;
import dev.itt.testing.Await;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import io.vertx.core.Future;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each tunnel's readiness check, as the states of real ends on loopback make it, drain included. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunnelHealthTest {

    private static void assertCheck(TunnelEnd end, HealthCheckResponse.Status status, Map<String, Object> data) {
        HealthCheckResponse r = TunnelHealth.check(end);
        assertEquals(end.name(), r.getName());
        assertEquals(status, r.getStatus(), () -> "data " + r.getData());
        assertEquals(data, r.getData().orElseThrow());
    }

    private static Map<String, Object> server(String state, long agents, long streams) {
        return Map.of("role", "server", "state", state, "agents", agents, "streams", streams);
    }

    private static Map<String, Object> agent(String state, long streams) {
        return Map.of("role", "agent", "state", state, "streams", streams);
    }

    @Test
    void aServerEndIsReadyOnlyWithAnAgentAndNotFromTheStartOfItsDrain() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            assertCheck(t.server, HealthCheckResponse.Status.DOWN, server("listening", 0, 0));
            AgentEnd agent = t.connectedAgent("127.0.0.1:" + echo.port());
            assertCheck(t.server, HealthCheckResponse.Status.UP, server("agents-connected", 1, 0));
            assertCheck(agent, HealthCheckResponse.Status.UP, agent("session-up", 0));

            Future<Void> stopped;
            try (Socket user = Users.connect(t.userPort())) {
                Users.echoes(user, "held".getBytes(StandardCharsets.US_ASCII), 0, 4);
                Await.until("the server end to count the stream", TunnelFixture.WAIT,
                        () -> t.server.stats().activeStreams() == 1);
                stopped = t.server.stop();
                Await.until("the drain to start", TunnelFixture.WAIT, () -> t.server.state() == EndState.DRAINING);
                assertCheck(t.server, HealthCheckResponse.Status.DOWN, server("draining", 1, 1));
            }
            TunnelFixture.join(stopped);
            assertCheck(t.server, HealthCheckResponse.Status.DOWN, server("stopped", 0, 0));
            Await.until("the agent to lose its session", TunnelFixture.WAIT,
                    () -> agent.state() == EndState.CONNECTING);
            assertCheck(agent, HealthCheckResponse.Status.DOWN, agent("connecting", 0));
        }
    }

    @Test
    void aDrainingAgentIsNotReadyAndNoLongerMakesItsServerEndReady() throws Exception {
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0); TunnelFixture t = new TunnelFixture().startServer()) {
            AgentEnd agent = t.connectedAgent("127.0.0.1:" + echo.port());
            try (Socket user = Users.connect(t.userPort())) {
                Users.echoes(user, "held".getBytes(StandardCharsets.US_ASCII), 0, 4);
                Await.until("the agent to count the stream", TunnelFixture.WAIT,
                        () -> agent.stats().activeStreams() == 1);
                Future<Void> stopped = agent.stop();
                Await.until("the agent's drain to start", TunnelFixture.WAIT,
                        () -> agent.state() == EndState.DRAINING);
                assertCheck(agent, HealthCheckResponse.Status.DOWN, agent("draining", 1));
                Await.until("the server end to hear the GO_AWAY", TunnelFixture.WAIT,
                        () -> t.server.state() == EndState.LISTENING);
                assertCheck(t.server, HealthCheckResponse.Status.DOWN, server("listening", 1, 1));
                user.close();
                TunnelFixture.join(stopped);
            }
            assertCheck(agent, HealthCheckResponse.Status.DOWN, agent("stopped", 0));
        }
    }

    @Test
    void withReadyRequiresAgentFalseAListeningServerEndIsReady() {
        try (TunnelFixture t = new TunnelFixture().readyRequiresAgent(false).startServer()) {
            assertCheck(t.server, HealthCheckResponse.Status.UP, server("listening", 0, 0));
        }
    }

    @Test
    void anAgentWithoutASessionIsNotReady() {
        try (TunnelFixture t = new TunnelFixture()) {
            AgentEnd agent = t.startAgent("127.0.0.1:" + Await.freePort(), "127.0.0.1:1", null);
            assertCheck(agent, HealthCheckResponse.Status.DOWN, agent("connecting", 0));
            TunnelFixture.join(agent.stop());
            assertCheck(agent, HealthCheckResponse.Status.DOWN, agent("stopped", 0));
        }
    }

    @Test
    void aProcessWithNoTunnelsIsNotReadyNorStarted() {
        TunnelReadiness readiness = new TunnelReadiness();
        readiness.tunnels = new TunnelManager();
        HealthCheckResponse r = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
        assertEquals(Map.of("tunnels", 0L, "reason", "no tunnels configured"), r.getData().orElseThrow());

        TunnelStartup startup = new TunnelStartup();
        startup.tunnels = readiness.tunnels;
        assertEquals(HealthCheckResponse.Status.DOWN, startup.call().getStatus(), "its start has not run");
    }
}
