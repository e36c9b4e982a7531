package dev.itt.runtime;

import dev.itt.end.EndState;
import dev.itt.end.EndStats;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.Role;
import io.smallrye.health.api.HealthRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * One readiness check per tunnel, named after it: UP while the end {@linkplain TunnelEnd#isReady() is ready},
 * with its role, its {@link EndState} and its counts as data.
 *
 * <p>A {@code HealthCheck} bean has one name and Quarkus fixes the set of beans at build time, while the tunnels
 * come from configuration read at start-up; SmallRye Health's {@link HealthRegistry} is its API for checks added
 * and removed while the application runs, so each tunnel's check is registered there as the tunnel is created and
 * removed with it. The registry is a plain map: it is changed only by {@link TunnelManager} as tunnels start and stop.
 */
@Singleton
public class TunnelHealth {
    @Inject
    @Readiness
    HealthRegistry readiness;

    private final List<String> registered = new CopyOnWriteArrayList<>();

    void register(TunnelEnd end) {
        readiness.register(end.name(), (HealthCheck) () -> check(end));
        registered.add(end.name());
    }

    void unregister(TunnelEnd end) {
        if (registered.remove(end.name())) {
            readiness.remove(end.name());
        }
    }

    void clear() {
        registered.forEach(readiness::remove);
        registered.clear();
    }

    /** The check's answer for {@code end} now: from the end's own state and snapshot, both safe from here. */
    static HealthCheckResponse check(TunnelEnd end) {
        EndStats stats = end.stats();
        HealthCheckResponseBuilder b = HealthCheckResponse.named(end.name()).status(end.isReady())
                .withData("role", end.role().name().toLowerCase(Locale.ROOT))
                .withData("state", end.state().label());
        if (end.role() == Role.SERVER) {
            b.withData("agents", stats.agents());
        }
        return b.withData("streams", stats.activeStreams()).build();
    }
}
