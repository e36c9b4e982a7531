package dev.itt.end;

import dev.itt.mux.Role;
import dev.itt.vertx.TlsFiles;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One configured tunnel's end in this process, whichever it is: what the runtime starts, stops, and reads for
 * readiness and metrics, the same way for both ends. Methods other than {@link #start} and {@link #stop} may be
 * called from any thread.
 */
public interface TunnelEnd {
    /** The configuration name, {@code itt.tunnels.NAME}. */
    String name();

    Role role();

    /** Listens (server end) or starts dialing (agent); fails with a message naming the tunnel and the key. */
    Future<Void> start();

    /** GO_AWAY to the peers, open streams drain for the tunnel's drain time, then everything closes. */
    Future<Void> stop();

    /** How long {@link #stop} lets open streams finish. */
    Duration drainTimeout();

    /** Where this end is: listening, agents connected, session up, draining... */
    EndState state();

    /**
     * Whether this end does its job now: a server end listens and (unless its {@code ready-requires-agent} is
     * false) has an agent; an agent has a session to its server end. Never while it drains.
     */
    boolean isReady();

    EndStats stats();

    /**
     * Sends each stream's OPEN-to-OPEN_OK time, in nanoseconds, to {@code times} (null: to nothing), on the end's
     * event loop, once per stream; safe from any thread.
     */
    void recordOpenTimes(LongConsumer times);

    /** Connections refused or closed by a limit on who may connect, per limit; safe from any thread. */
    default LimitHits limitHits() {
        return LimitHits.NONE;
    }

    /** The TLS files this end loaded at its start, for a file watcher to poll; none where it has no TLS. */
    default List<TlsFiles> tlsFiles() {
        return List.of();
    }
}
