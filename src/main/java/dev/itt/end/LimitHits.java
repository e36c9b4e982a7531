package dev.itt.end;

import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How often each {@link Limit} has refused or closed a connection, counted by the end's event loop and read by
 * the metrics from any thread. Hits are rare next to the data path, so an atomic per count costs nothing there.
 */
public final class LimitHits {
    /** For an end that enforces no limit. */
    public static final LimitHits NONE = new LimitHits(List.of());

    private final List<Limit> limits;
    private final AtomicLongArray counts = new AtomicLongArray(Limit.values().length);

    public LimitHits(List<Limit> limits) {
        this.limits = List.copyOf(limits);
    }

    /** The limits this end enforces (and so reports, at 0 until the first hit). */
    public List<Limit> limits() {
        return limits;
    }

    public void hit(Limit limit) {
        counts.incrementAndGet(limit.ordinal());
    }

    public long count(Limit limit) {
        return counts.get(limit.ordinal());
    }
}
