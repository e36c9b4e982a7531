package dev.itt.runtime;

import dev.itt.end.EndStats;
import dev.itt.end.Limit;
import dev.itt.end.LimitHits;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.Role;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-tunnel gauges read from each end's published {@link EndStats} (tags: tunnel name and end, never a stream or
 * a peer). Buffered bytes are what the process holds for streams: bytes waiting for the peer's credit plus bytes
 * received and not yet taken by the local socket; flow control bounds it.
 */
@Singleton
public class TunnelMetrics {
    @Inject
    MeterRegistry registry;

    /** Each end's meters, to remove them with it. */
    private final Map<TunnelEnd, List<Meter>> meters = new ConcurrentHashMap<>();

    void register(TunnelEnd end) {
        meters.put(end, new ArrayList<>());
        stat("itt.buffered.bytes", end, EndStats::bufferedBytes);
        stat("itt.buffered.bytes.peak", end, EndStats::peakBufferedBytes);
        stat("itt.streams.active", end, EndStats::activeStreams);
        if (end.role() == Role.SERVER) {
            stat("itt.agents", end, EndStats::agents);
        }
        gauge("itt.ready", end, e -> e.isReady() ? 1 : 0);
        limitHits(end);
    }

    /**
     * {@code itt_limit_hits_total{tunnel, limit}}: connections refused or closed by each limit the end enforces,
     * read from the end's own counts (the end knows nothing of Micrometer).
     */
    private void limitHits(TunnelEnd end) {
        LimitHits hits = end.limitHits();
        for (Limit limit : hits.limits()) {
            meters.get(end).add(FunctionCounter.builder("itt.limit.hits", hits, h -> h.count(limit))
                    .description("connections refused or closed by a limit on who may connect")
                    .tag("tunnel", end.name()).tag("limit", limit.key()).register(registry));
        }
    }

    private void stat(String name, TunnelEnd end, ToDoubleFunction<EndStats> f) {
        gauge(name, end, e -> f.applyAsDouble(e.stats()));
    }

    private void gauge(String name, TunnelEnd end, ToDoubleFunction<TunnelEnd> f) {
        meters.get(end).add(Gauge.builder(name, end, f).tag("tunnel", end.name())
                .tag("end", end.role().name().toLowerCase(Locale.ROOT)).register(registry));
    }

    void unregister(TunnelEnd end) {
        List<Meter> gone = meters.remove(end);
        if (gone != null) {
            gone.forEach(registry::remove);
        }
    }

    void clear() {
        List.copyOf(meters.keySet()).forEach(this::unregister);
    }
}
