package dev.itt.server;

import dev.itt.config.Access;
import dev.itt.config.Cidr;
import dev.itt.config.Endpoint;
import dev.itt.end.Limit;
import dev.itt.end.LimitHits;
import dev.itt.vertx.Connection;
import dev.itt.vertx.SocketWatch;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Who may connect to one server end (docs/SECURITY.md, "Who may connect"): the allow lists of {@code listen} and
 * {@code tunnel}, the number of user connections open at once in all and per source address, the number of tunnel
 * connections still in the handshake in all and per source address, and the idle timeout of a user connection. A
 * refused socket is closed at once, counted in {@link #hits()} and logged through a {@link RefusalLog}, so that a
 * flood of refusals makes a line per source every {@link #LOG_INTERVAL_SECONDS}.
 *
 * <p>Belongs to the end's event loop, like the sockets it counts: no field here is touched from another thread,
 * except the atomic counts in {@link LimitHits}. With no user limit configured it keeps nothing per user.
 */
final class Admission {
    private static final Logger LOG = Logger.getLogger(Admission.class);
    static final long LOG_INTERVAL_SECONDS = 10;
    /** Sources whose refusals are counted one by one; more share one entry. */
    private static final int LOG_SOURCES = 1024;

    private final Vertx vertx;
    private final Access access;
    private final LimitHits hits = new LimitHits(List.of(Limit.values()));
    private final RefusalLog log;
    /** Users open now, or null when no user limit is configured. */
    private final OpenCounts users;
    /** Tunnel connections that have not finished the handshake (docs/SECURITY.md, "Who may connect"). */
    private final OpenCounts handshakes;
    private long flushTimer = -1;

    Admission(Vertx vertx, String tunnel, Access access, Endpoint listen, Endpoint tunnelEndpoint) {
        this(vertx, tunnel, access, listen, tunnelEndpoint, TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS));
    }

    Admission(Vertx vertx, String tunnel, Access access, Endpoint listen, Endpoint tunnelEndpoint, long logInterval) {
        this.vertx = vertx;
        this.access = access;
        this.log = new RefusalLog(tunnel, logInterval, LOG_SOURCES, (limit, line) -> {
            if (limit == Limit.AGENT_ALLOW || limit == Limit.MAX_HANDSHAKES
                    || limit == Limit.MAX_HANDSHAKES_PER_SOURCE) {
                LOG.warn(line);
            } else {
                LOG.info(line);
            }
        });
        this.users = access.maxConnections() == Access.UNLIMITED
                && access.maxConnectionsPerSource() == Access.UNLIMITED ? null
                        : new OpenCounts(access.maxConnections(), access.maxConnectionsPerSource());
        this.handshakes = new OpenCounts(access.maxHandshakes(), access.maxHandshakesPerSource());
        if (listen instanceof Endpoint.Unix && (access.allow().restricts()
                || access.maxConnectionsPerSource() != Access.UNLIMITED)) {
            LOG.warnf("tunnel %s: allow and max-connections-per-source have no effect on listen %s: a Unix-socket"
                    + " user has no IP address (the socket file's listen-mode and listen-group say who may connect)",
                    tunnel, listen);
        }
        if (tunnelEndpoint instanceof Endpoint.Unix && access.agentAllow().restricts()) {
            LOG.warnf("tunnel %s: agent-allow has no effect on tunnel %s: a Unix-socket agent has no IP address",
                    tunnel, tunnelEndpoint);
        }
    }

    LimitHits hits() {
        return hits;
    }

    /**
     * Whether an agent from {@code peer} may connect: its address is in {@code agent-allow}, and fewer than
     * {@code max-handshakes} tunnel connections, and fewer than {@code max-handshakes-per-source} from its address,
     * are in the handshake. If so, it counts as one of those until its {@link HandshakeSlot} is released; if not,
     * its socket is closed and the answer is null.
     */
    HandshakeSlot admitAgent(NetSocket socket, SocketAddress peer) {
        if (!access.agentAllow().allows(peer)) {
            refuse(socket, Limit.AGENT_ALLOW, peer, "agent " + Connection.describe(peer)
                    + " refused: not in agent-allow " + access.agentAllow());
            return null;
        }
        if (handshakes.full()) {
            refuse(socket, Limit.MAX_HANDSHAKES, peer, "agent " + Connection.describe(peer) + " refused: the tunnel"
                    + " port has max-handshakes " + handshakes.max() + " connections in the handshake already");
            return null;
        }
        InetAddress source = source(peer);
        if (handshakes.fullFrom(source)) {
            refuse(socket, Limit.MAX_HANDSHAKES_PER_SOURCE, peer, "agent " + Connection.describe(peer)
                    + " refused: " + source.getHostAddress() + " has max-handshakes-per-source "
                    + handshakes.maxPerSource() + " connections in the handshake already");
            return null;
        }
        handshakes.add(source);
        return new HandshakeSlot(source);
    }

    /** One tunnel connection counted as in the handshake, from its admission to {@link #release()}. */
    final class HandshakeSlot {
        private final InetAddress source;
        private boolean released;

        private HandshakeSlot(InetAddress source) {
            this.source = source;
        }

        /** The handshake is over, either way (established, refused, timed out, connection lost); once is enough. */
        void release() {
            if (!released) {
                released = true;
                handshakes.remove(source);
            }
        }
    }

    /**
     * Whether a user from {@code peer} may connect; if not, its socket is closed. An admitted user is counted until
     * its socket closes, and closed when it has been idle for {@code idle-timeout}.
     */
    boolean admitUser(NetSocket socket, SocketAddress peer) {
        if (!access.allow().allows(peer)) {
            refuse(socket, Limit.ALLOW, peer, "user " + Connection.describe(peer) + " refused: not in allow "
                    + access.allow());
            return false;
        }
        if (users != null && users.full()) {
            refuse(socket, Limit.MAX_CONNECTIONS, peer, "user " + Connection.describe(peer) + " refused: the tunnel"
                    + " has max-connections " + access.maxConnections() + " users already");
            return false;
        }
        InetAddress source = source(peer);
        if (users != null && users.fullFrom(source)) {
            refuse(socket, Limit.MAX_CONNECTIONS_PER_SOURCE, peer, "user " + Connection.describe(peer)
                    + " refused: " + source.getHostAddress() + " has max-connections-per-source "
                    + access.maxConnectionsPerSource() + " connections already");
            return false;
        }
        if (users != null) {
            users.add(source);
            SocketWatch.onClose(socket, () -> users.remove(source));
        }
        if (access.idleTimeout() != null) {
            SocketWatch.closeWhenIdle(socket, access.idleTimeout(), () -> {
                hits.hit(Limit.IDLE_TIMEOUT);
                logged(Limit.IDLE_TIMEOUT, peer, "user " + Connection.describe(peer) + " closed: no bytes either way"
                        + " for idle-timeout " + access.idleTimeout());
            });
        }
        return true;
    }

    /** A TCP peer's address (IPv4-mapped IPv6 as IPv4), or null for a Unix-socket peer. */
    private static InetAddress source(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null ? Cidr.unmapped(inet.getAddress())
                : null;
    }

    private void refuse(NetSocket socket, Limit limit, SocketAddress peer, String line) {
        // counted and logged before the close, so that whoever sees the socket closed also sees the count
        hits.hit(limit);
        logged(limit, peer, line);
        socket.close();
    }

    private void logged(Limit limit, SocketAddress peer, String line) {
        InetAddress source = source(peer);
        log.refused(limit, source == null ? String.valueOf(peer) : source.getHostAddress(), line, System.nanoTime());
        if (flushTimer < 0) {
            scheduleFlush(log.flush(System.nanoTime()));
        }
    }

    private void scheduleFlush(long inNanos) {
        if (inNanos < 0) {
            flushTimer = -1;
            return;
        }
        flushTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(inNanos) + 1), id -> {
            flushTimer = -1;
            scheduleFlush(log.flush(System.nanoTime()));
        });
    }

    /** Stops the log's timer; the counts of a last interval are logged now. */
    void close() {
        if (flushTimer >= 0) {
            vertx.cancelTimer(flushTimer);
            flushTimer = -1;
        }
        log.flushAll();
    }
}
