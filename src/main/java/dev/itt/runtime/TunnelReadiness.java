package dev.itt.runtime;

import dev.itt.end.TunnelEnd;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when every server end is listening and every agent has a session to its server end. */
@Readiness
@Singleton
public class TunnelReadiness implements HealthCheck {
    @Inject
    TunnelManager tunnels;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("itt tunnels");
        boolean up = true;
        for (TunnelEnd end : tunnels.ends()) {
            b.withData(end.name(), end.status());
            up &= end.isReady();
        }
        return b.status(up).build();
    }
}
