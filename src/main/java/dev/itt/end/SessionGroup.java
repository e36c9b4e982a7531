package dev.itt.end;

import dev.itt.config.TunnelSpec;
import dev.itt.mux.MuxStream;
import dev.itt.mux.Role;
import dev.itt.mux.Session;
import dev.itt.mux.SessionConfig;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.Tally;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.UserAddresses;
import dev.itt.vertx.Connection;
import dev.itt.vertx.Internals;
import dev.itt.vertx.SocketTransport;
import dev.itt.wire.Wire;
import dev.itt.wire.Wires;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tunnel connections of one tunnel end and everything both ends do with them: one event loop for all of
 * them (and for every socket the end opens, so sessions and streams need no locks), the tunnel's wire format,
 * the socket → {@link Connection} → {@link SocketTransport} → {@link Session} wiring, the once-a-second tick,
 * which session a new stream goes to, the GO_AWAY drain on stop, and the {@link EndStats} snapshot that other
 * threads read, with the {@link Tally} its sessions count into. Every method but {@link #context()},
 * {@link #stats()}, {@link #isDraining()} and {@link #recordOpenTimes} runs on {@link #context()}.
 */
public final class SessionGroup {
    private final Vertx vertx;
    private final Context context;
    private final Role role;
    private final SessionConfig config;
    private final Wire wire;
    private final List<Session> sessions = new ArrayList<>();
    private final SessionPicker picker = new FewestStreams();
    /** Shared by every session of the group (one loop): what they count outlives each of them. */
    private final Tally tally = new Tally();
    private volatile EndStats stats = EndStats.none();
    /** Set when {@link #drain} begins; read by health from any thread. */
    private volatile boolean draining;
    private long tickTimer = -1;
    private Promise<Void> drained;
    private long drainTimer = -1;

    public SessionGroup(Vertx vertx, Role role, SessionConfig config, TunnelSpec.Wire wire) {
        this.vertx = vertx;
        this.context = Internals.newEventLoop(vertx);
        this.role = role;
        this.config = config;
        this.wire = Wires.of(wire);
    }

    /** The event loop of this end: its sessions, its listeners or dials, and every socket they lead to. */
    public Context context() {
        return context;
    }

    /** Starts the tick, on {@link #context()}: from now on the snapshot names this loop. */
    public void start() {
        tickTimer = vertx.setPeriodic(1000, id -> tick());
        publish();
    }

    /** Server: whether the wire format takes one more agent (the legacy one serves one at a time). */
    public boolean hasRoomForAgent() {
        return sessions.size() < wire.maxAgents();
    }

    public int maxAgents() {
        return wire.maxAgents();
    }

    /** Runs a session over a new tunnel connection; {@code events} hears what it does. */
    public Session attach(NetSocket socket, SessionHandler events) {
        SocketTransport transport = new SocketTransport(new Connection(socket));
        Session session = wire.newSession(role, transport, config, new Tracked(events), tally);
        sessions.add(session);
        transport.bind(session);
        return session;
    }

    /**
     * Server: a stream for a user connected from {@code user} to {@code local}, on the live session the
     * {@link SessionPicker} chooses ({@link FewestStreams}), or null if none takes it.
     */
    public MuxStream open(SocketAddress user, SocketAddress local) {
        Session best = picker.pick(sessions);
        return best == null ? null : wire.open(best, user, local);
    }

    /**
     * GO_AWAY on every session: no new streams, the open ones may finish for {@code drainTime}, then whatever is
     * left is closed. Completes when the last session has closed.
     */
    public Future<Void> drain(String reason, Duration drainTime) {
        if (drained != null) {
            return drained.future();
        }
        drained = Promise.promise();
        draining = true;
        for (Session s : new ArrayList<>(sessions)) {
            s.goAway(ErrorCode.NO_ERROR, reason, drainTime.toNanos());
        }
        if (sessions.isEmpty()) {
            finishDrain();
        } else {
            // The sessions keep a deadline of their own, for a GO_AWAY they send by themselves (stream ids
            // exhausted), checked on their once-a-second tick; the end's stop is owed its drain time exactly.
            drainTimer = vertx.setTimer(Math.max(1, drainTime.toMillis()), id -> {
                drainTimer = -1;
                for (Session s : new ArrayList<>(sessions)) {
                    s.close(ErrorCode.NO_ERROR, reason + ": drain time over");
                }
            });
        }
        return drained.future();
    }

    /** Whether {@link #drain} has begun (and maybe finished): no new streams; safe from any thread. */
    public boolean isDraining() {
        return draining;
    }

    /** What the sessions count, and where the end counts what it decides itself (users turned away, TLS failures). */
    public Tally tally() {
        return tally;
    }

    /** See {@link Tally#recordOpenTimes}; safe from any thread. */
    public void recordOpenTimes(java.util.function.LongConsumer times) {
        tally.recordOpenTimes(times);
    }

    /** The latest snapshot; safe from any thread. */
    public EndStats stats() {
        return stats;
    }

    private void tick() {
        long now = System.nanoTime();
        for (Session s : new ArrayList<>(sessions)) {
            s.tick(now);
        }
        publish();
    }

    private void publish() {
        int agents = 0;
        int accepting = 0;
        int streams = 0;
        long buffered = 0;
        long peak = 0;
        for (Session s : sessions) {
            if (s.isEstablished()) {
                agents++;
            }
            if (s.acceptsStreams()) {
                accepting++;
            }
            streams += s.streamCount();
            buffered += s.bufferedBytes();
            peak = Math.max(peak, s.peakBufferedBytes());
        }
        // the thread's name is a field read: naming the loop costs nothing per tick
        stats = new EndStats(agents, accepting, streams, buffered, peak, System.nanoTime(),
                tickTimer >= 0 ? Thread.currentThread().getName() : null, tally.totals(role));
    }

    private void finishDrain() {
        if (tickTimer >= 0) {
            vertx.cancelTimer(tickTimer);
            tickTimer = -1;
        }
        if (drainTimer >= 0) {
            vertx.cancelTimer(drainTimer);
            drainTimer = -1;
        }
        publish();
        drained.tryComplete();
    }

    /** Keeps the group's list and snapshot current as a session starts and ends, then tells the end. */
    private final class Tracked implements SessionHandler {
        private final SessionHandler end;

        Tracked(SessionHandler end) {
            this.end = end;
        }

        @Override
        public void onEstablished(Session session) {
            publish();
            end.onEstablished(session);
        }

        @Override
        public void onStreamOpened(Session session, MuxStream stream, UserAddresses addresses) {
            end.onStreamOpened(session, stream, addresses);
        }

        @Override
        public void onGoAway(Session session, ErrorCode code, String reason) {
            publish(); // the session takes no more streams: readiness may change
            end.onGoAway(session, code, reason);
        }

        @Override
        public void onClosed(Session session, ErrorCode code, String reason) {
            sessions.remove(session);
            publish();
            end.onClosed(session, code, reason);
            if (drained != null && sessions.isEmpty()) {
                finishDrain();
            }
        }
    }
}
