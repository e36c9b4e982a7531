package dev.itt.runtime;

import dev.itt.agent.AgentEnd;
import dev.itt.server.ServerEnd;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when every server end is listening and every client end has a session to its server. */
@Readiness
@Singleton
public class TunnelReadiness implements HealthCheck {
    @Inject
    TunnelManager tunnels;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("itt tunnels");
        boolean up = true;
        for (ServerEnd s : tunnels.servers()) {
            b.withData(s.spec().name(), s.isListening() ? "listening, " + s.agents() + " agents" : "not listening");
            up &= s.isListening();
        }
        for (AgentEnd a : tunnels.agents()) {
            b.withData(a.spec().name(), a.isConnected() ? "connected" : "not connected");
            up &= a.isConnected();
        }
        return b.status(up).build();
    }
}
