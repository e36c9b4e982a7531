package dev.itt.server;

import dev.itt.end.Limit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Log lines for refused connections without a flood: the first refusal of a source by a limit is logged at once,
 * further ones from that source by that limit within {@code interval} are only counted, and the count is logged
 * when the interval is over. At most {@code maxSources} sources are tracked; past that, refusals of any other
 * source share one entry, "other sources", so that many addresses cannot grow the table. Time comes in as
 * nanoTime values, so the class is tested with a clock of the test's making. Used on one event loop only.
 */
final class RefusalLog {
    private static final String OTHERS = "other sources";

    private final String tunnel;
    private final long intervalNanos;
    private final int maxSources;
    private final BiConsumer<Limit, String> sink;
    private final Map<String, Entry> entries = new HashMap<>();

    private static final class Entry {
        final Limit limit;
        final String source;
        long loggedAt;
        long suppressed;

        Entry(Limit limit, String source, long loggedAt) {
            this.limit = limit;
            this.source = source;
            this.loggedAt = loggedAt;
        }
    }

    RefusalLog(String tunnel, long intervalNanos, int maxSources, BiConsumer<Limit, String> sink) {
        this.tunnel = tunnel;
        this.intervalNanos = intervalNanos;
        this.maxSources = maxSources;
        this.sink = sink;
    }

    /**
     * One refusal.
     *
     * @param source the peer's IP address as text: what refusals are grouped by
     * @param line what to log if this refusal is logged, without the tunnel
     */
    void refused(Limit limit, String source, String line, long now) {
        String key = limit.key() + ' ' + source;
        Entry e = entries.get(key);
        if (e == null && entries.size() >= maxSources) {
            source = OTHERS;
            key = limit.key() + ' ' + OTHERS;
            e = entries.get(key);
        }
        if (e != null && now - e.loggedAt < intervalNanos) {
            e.suppressed++;
            return;
        }
        if (e != null) {
            summarize(e);
            e.loggedAt = now;
        } else {
            entries.put(key, new Entry(limit, source, now));
        }
        sink.accept(limit, "tunnel " + tunnel + ": " + line + (source.equals(OTHERS)
                ? " (counted with other sources: too many sources to track one by one)" : ""));
    }

    /**
     * Logs the counts of the intervals that are over and forgets their sources.
     *
     * @return nanoseconds until the next interval is over, or -1 when no source is tracked
     */
    long flush(long now) {
        long next = -1;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            long left = e.loggedAt + intervalNanos - now;
            if (left <= 0) {
                summarize(e);
                it.remove();
            } else if (next < 0 || left < next) {
                next = left;
            }
        }
        return next;
    }

    /** Logs every count not logged yet and forgets every source (on stop). */
    void flushAll() {
        entries.values().forEach(this::summarize);
        entries.clear();
    }

    /** How many sources are tracked now. */
    int tracked() {
        return entries.size();
    }

    private void summarize(Entry e) {
        if (e.suppressed > 0) {
            sink.accept(e.limit, "tunnel " + tunnel + ": " + e.suppressed + " more connection(s) from " + e.source
                    + (e.limit == Limit.IDLE_TIMEOUT ? " closed by " : " refused by ") + e.limit.key() + " in the "
                    + (intervalNanos % 1_000_000_000L == 0 ? intervalNanos / 1_000_000_000L + " s"
                            : intervalNanos / 1_000_000L + " ms") + " after the one logged");
            e.suppressed = 0;
        }
    }
}
