package dev.itt.runtime;

import dev.itt.agent.AgentEnd;
import dev.itt.server.ServerEnd;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Per-tunnel gauges read from the ends (tags: tunnel name and end, never a stream or a peer). Buffered bytes are
 * what the process holds for streams: bytes waiting for the peer's credit plus bytes received and not yet taken by
 * the local socket; flow control bounds it.
 */
@Singleton
public class TunnelMetrics {
    @Inject
    MeterRegistry registry;

    private final List<Meter> meters = new ArrayList<>();

    void register(ServerEnd end) {
        String t = end.spec().name();
        gauge("itt.buffered.bytes", t, "server", end, ServerEnd::bufferedBytes);
        gauge("itt.buffered.bytes.peak", t, "server", end, ServerEnd::peakBufferedBytes);
        gauge("itt.streams.active", t, "server", end, ServerEnd::activeStreams);
        gauge("itt.agents", t, "server", end, ServerEnd::agents);
        gauge("itt.ready", t, "server", end, e -> e.isListening() ? 1 : 0);
    }

    void register(AgentEnd end) {
        String t = end.spec().name();
        gauge("itt.buffered.bytes", t, "agent", end, AgentEnd::bufferedBytes);
        gauge("itt.buffered.bytes.peak", t, "agent", end, AgentEnd::peakBufferedBytes);
        gauge("itt.streams.active", t, "agent", end, AgentEnd::activeStreams);
        gauge("itt.ready", t, "agent", end, e -> e.isConnected() ? 1 : 0);
    }

    private <T> void gauge(String name, String tunnel, String role, T end, ToDoubleFunction<T> f) {
        meters.add(Gauge.builder(name, end, f).tag("tunnel", tunnel).tag("end", role).register(registry));
    }

    void clear() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
