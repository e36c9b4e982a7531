package dev.itt.runtime;

import dev.itt.end.EndStats;
import dev.itt.end.TunnelEnd;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while every event loop the tunnels run on answers. The proof a loop ran is the snapshot each end's loop
 * publishes on its once-a-second tick ({@link EndStats#takenNanos()}, {@link EndStats#loop()}): reading it costs the
 * loop nothing and takes no lock. A loop whose freshest snapshot is older than {@link #BLOCKED_AFTER} is blocked,
 * and the check names it, its tunnels, and how long it has not answered.
 */
@Liveness
@Singleton
public class EventLoopLiveness implements HealthCheck {
    /** A tick more than 2 s late: as late as Vert.x lets a task run on an event loop before it warns. */
    static final Duration BLOCKED_AFTER = Duration.ofSeconds(3);

    @Inject
    TunnelManager tunnels;

    @Override
    public HealthCheckResponse call() {
        return check(tunnels.ends(), System.nanoTime());
    }

    static HealthCheckResponse check(List<TunnelEnd> ends, long nowNanos) {
        // several ends may share one loop: its freshest snapshot is the last proof that it ran
        Map<String, Long> lastRun = new TreeMap<>();
        Map<String, List<String>> tunnelsOn = new TreeMap<>();
        for (TunnelEnd end : ends) {
            EndStats s = end.stats();
            if (s.loop() != null) {
                lastRun.merge(s.loop(), s.takenNanos(), Math::max);
                tunnelsOn.computeIfAbsent(s.loop(), k -> new ArrayList<>()).add(end.name());
            }
        }
        HealthCheckResponseBuilder b = HealthCheckResponse.named("itt event loops");
        boolean up = true;
        for (Map.Entry<String, Long> loop : lastRun.entrySet()) {
            long silentNanos = nowNanos - loop.getValue();
            boolean blocked = silentNanos > BLOCKED_AFTER.toNanos();
            up &= !blocked;
            String seconds = String.format(Locale.ROOT, "%.1f s", silentNanos / 1e9);
            b.withData(loop.getKey(), (blocked ? "blocked: no answer for " + seconds : "answered " + seconds + " ago")
                    + " (tunnels " + String.join(", ", tunnelsOn.get(loop.getKey())) + ")");
        }
        return b.status(up).build();
    }
}
