package dev.itt.runtime;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once every configured tunnel was started: server ends listening, agents dialing. */
@Startup
@Singleton
public class TunnelStartup implements HealthCheck {
    @Inject
    TunnelManager tunnels;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("itt tunnels started").status(tunnels.started())
                .withData("tunnels", tunnels.ends().size()).build();
    }
}
