package dev.itt.runtime;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while no tunnel is configured: a process that carries nothing must not receive traffic. Each tunnel
 * has a readiness check of its own ({@link TunnelHealth}); this one only counts them.
 */
@Readiness
@Singleton
public class TunnelReadiness implements HealthCheck {
    static final String NAME = "itt tunnels";

    @Inject
    TunnelManager tunnels;

    @Override
    public HealthCheckResponse call() {
        int n = tunnels.ends().size();
        return n == 0 ? HealthCheckResponse.named(NAME).down().withData("tunnels", 0)
                .withData("reason", "no tunnels configured").build()
                : HealthCheckResponse.named(NAME).up().withData("tunnels", n).build();
    }
}
