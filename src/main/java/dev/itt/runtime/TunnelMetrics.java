package dev.itt.runtime;

import dev.itt.end.EndStats;
import dev.itt.end.Limit;
import dev.itt.end.LimitHits;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.HandshakeFailure;
import dev.itt.mux.Role;
import dev.itt.mux.SessionClose;
import dev.itt.mux.StreamFailure;
import dev.itt.mux.Tally;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Each tunnel end's meters (docs/OPERATIONS.md, "Metrics"), tagged with the tunnel's name and the end, never with
 * a stream or a peer. They read what the end publishes: the {@link EndStats} snapshot its event loop takes once a
 * second and on every session's start and end (gauges, and counters from its {@link Tally.Totals}), and the limit
 * hits it counts. Every series is registered with the end, at 0, so that it exists from the start. The one meter
 * that is written to rather than read is the open-time histogram: see {@link #openTimes}.
 */
@Singleton
public class TunnelMetrics {
    /** Prometheus' default buckets, with two below 5 ms for opens across a LAN. */
    private static final Duration[] OPEN_BUCKETS = {Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    @Inject
    MeterRegistry registry;

    /** Each registered end's meters, so that one end's can go without the others' (a tunnel removed by reload). */
    private final Map<TunnelEnd, List<Meter>> meters = new ConcurrentHashMap<>();

    void register(TunnelEnd end) {
        List<Meter> m = new ArrayList<>();
        Tags tags = Tags.of("tunnel", end.name(), "end", end.role().name().toLowerCase(Locale.ROOT));
        gauges(end, tags, m);
        counters(end, tags, m);
        limitHits(end, tags, m);
        m.add(openTimes(end, tags));
        meters.put(end, m);
    }

    private void gauges(TunnelEnd end, Tags tags, List<Meter> m) {
        m.add(gauge("itt.ready", "1 while the tunnel's readiness check is UP, else 0", end, tags,
                e -> e.isReady() ? 1 : 0));
        m.add(stat("itt.streams.active", "streams open now", end, tags, EndStats::activeStreams));
        m.add(stat("itt.buffered.bytes", "bytes held for streams: waiting for the peer's credit, or received and not"
                + " yet taken by their socket", end, tags, EndStats::bufferedBytes));
        m.add(stat("itt.buffered.bytes.peak", "the most bytes any one live tunnel connection of this end has held",
                end, tags, EndStats::peakBufferedBytes));
        if (end.role() == Role.SERVER) {
            m.add(stat("itt.agents", "agents with a session now", end, tags, EndStats::agents));
        }
    }

    private void counters(TunnelEnd end, Tags tags, List<Meter> m) {
        m.add(total("itt.streams.opened", "streams whose open succeeded (OPEN_OK)", end, tags,
                Tally.Totals::streamsOpened));
        for (StreamFailure f : StreamFailure.values()) {
            m.add(total("itt.streams.failed", "streams that failed to open or were reset, by reason", end,
                    tags.and("reason", f.label()), t -> t.streamsFailed(f)));
        }
        m.add(total("itt.bytes", "bytes carried: up from users toward the upstream, down back to them", end,
                tags.and("direction", "up"), Tally.Totals::bytesUp));
        m.add(total("itt.bytes", "bytes carried: up from users toward the upstream, down back to them", end,
                tags.and("direction", "down"), Tally.Totals::bytesDown));
        m.add(total("itt.sessions.opened", "tunnel connections whose handshake completed", end, tags,
                Tally.Totals::sessionsOpened));
        for (SessionClose c : SessionClose.values()) {
            m.add(total("itt.sessions.closed", "sessions that ended after their handshake, by reason", end,
                    tags.and("reason", c.label()), t -> t.sessionsClosed(c)));
        }
        for (HandshakeFailure f : HandshakeFailure.values()) {
            m.add(total("itt.handshake.failures", "tunnel connections that failed their TLS or ITT handshake, by"
                    + " reason", end, tags.and("reason", f.label()), t -> t.handshakeFailures(f)));
        }
    }

    /**
     * {@code itt_limit_hits_total{tunnel, end, limit}}: connections refused or closed by each limit the end
     * enforces, read from the end's own counts (the end knows nothing of Micrometer).
     */
    private void limitHits(TunnelEnd end, Tags tags, List<Meter> m) {
        LimitHits hits = end.limitHits();
        for (Limit limit : hits.limits()) {
            m.add(FunctionCounter.builder("itt.limit.hits", hits, h -> h.count(limit))
                    .description("connections refused or closed by a limit on who may connect")
                    .tags(tags.and("limit", limit.key())).register(registry));
        }
    }

    /**
     * {@code itt_stream_open_seconds}: a Prometheus histogram needs a Micrometer timer, which is written to, not
     * read. The end records into it once per opened stream (not per frame), on its loop, and
     * {@link Timer#record(long, TimeUnit)} allocates nothing; the rest of the meters read counts instead.
     */
    private Timer openTimes(TunnelEnd end, Tags tags) {
        Timer timer = Timer.builder("itt.stream.open")
                .description("time from a stream's OPEN to its OPEN_OK: at the agent, its upstream dial")
                .tags(tags).serviceLevelObjectives(OPEN_BUCKETS).register(registry);
        end.recordOpenTimes(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
        return timer;
    }

    private Meter total(String name, String help, TunnelEnd end, Tags tags, ToDoubleFunction<Tally.Totals> f) {
        return FunctionCounter.builder(name, end, e -> f.applyAsDouble(e.stats().totals())).description(help)
                .tags(tags).register(registry);
    }

    private Meter stat(String name, String help, TunnelEnd end, Tags tags, ToDoubleFunction<EndStats> f) {
        return gauge(name, help, end, tags, e -> f.applyAsDouble(e.stats()));
    }

    private Meter gauge(String name, String help, TunnelEnd end, Tags tags, ToDoubleFunction<TunnelEnd> f) {
        return Gauge.builder(name, end, f).description(help).tags(tags).register(registry);
    }

    /** Removes one end's meters, leaving every other end's as they are. */
    void unregister(TunnelEnd end) {
        List<Meter> m = meters.remove(end);
        if (m != null) {
            end.recordOpenTimes(null);
            m.forEach(registry::remove);
        }
    }

    void clear() {
        List.copyOf(meters.keySet()).forEach(this::unregister);
    }
}
