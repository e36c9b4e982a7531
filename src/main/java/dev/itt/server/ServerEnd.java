package dev.itt.server;

import dev.itt.config.Endpoint;
import dev.itt.config.TlsSpec;
import dev.itt.config.TunnelSpec;
import dev.itt.end.EndState;
import dev.itt.end.EndStats;
import dev.itt.end.LimitHits;
import dev.itt.end.SessionGroup;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.HandshakeFailure;
import dev.itt.mux.MuxStream;
import dev.itt.mux.Role;
import dev.itt.mux.Session;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.StreamFailure;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.vertx.Connection;
import dev.itt.vertx.HalfClose;
import dev.itt.vertx.SharedAddress;
import dev.itt.vertx.StreamBridge;
import dev.itt.vertx.TcpOptions;
import dev.itt.vertx.TlsFiles;
import dev.itt.vertx.TlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The server end of one tunnel: agents connect to {@code tunnel}, users to {@code listen}; each user becomes a
 * stream on a live agent's session, which the {@link SessionGroup} picks. Both listeners run on the group's event
 * loop, so every session and every user socket lives there.
 */
public final class ServerEnd implements TunnelEnd {
    private static final Logger LOG = Logger.getLogger(ServerEnd.class);

    private final Vertx vertx;
    private final TunnelSpec.Server spec;
    private final SessionGroup group;
    private final Admission admission;
    private final AccessLog access;
    /** The listen address users reached, one copy for every user socket (on the loop). */
    private final SharedAddress listenAddress = SharedAddress.local();
    private NetServer agentServer;
    private NetServer userServer;
    /** The tunnel port's and the listen side's TLS material, or null where that side is plaintext. */
    private volatile TlsFiles tunnelTls;
    private volatile TlsFiles listenTls;
    private volatile boolean listening;
    private volatile boolean stopped;
    private boolean stopping;
    /** The first {@link #stop}'s outcome, which a second call returns; on the loop. */
    private Promise<Void> stopDone;

    public ServerEnd(Vertx vertx, TunnelSpec.Server spec) {
        this.vertx = vertx;
        this.spec = spec;
        this.group = new SessionGroup(vertx, Role.SERVER, spec.session(), spec.wire());
        this.admission = new Admission(vertx, spec.name(), spec.access(), spec.listen(), spec.tunnel());
        this.access = new AccessLog(spec.name(), group::isDraining);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public Role role() {
        return Role.SERVER;
    }

    /** Binds both listeners; fails with a message naming the tunnel and the address that could not be bound. */
    @Override
    public Future<Void> start() {
        try {
            UnixSocketFiles.prepare(vertx, spec.name(), "tunnel", spec.tunnel());
            UnixSocketFiles.prepare(vertx, spec.name(), "listen", spec.listen());
            tunnelTls = spec.tls() == null ? null
                    : TlsFiles.load(vertx, spec.name(), "tls", spec.tls(), spec.session().handshakeTimeout());
            listenTls = spec.listenTls() == null ? null
                    : TlsFiles.load(vertx, spec.name(), "listen-tls", spec.listenTls(),
                            spec.session().handshakeTimeout());
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        Promise<Void> started = Promise.promise();
        group.context().runOnContext(v -> {
            agentServer = vertx.createNetServer(TlsOptions.server(TcpOptions.apply(new NetServerOptions()), tunnelTls))
                    .connectHandler(this::onAgent);
            if (tunnelTls != null) {
                tunnelTls.usedBy(agentServer::updateSSLOptions);
                // a failed TLS handshake never reaches onAgent; Vert.x reports it here, without the peer's address
                agentServer.exceptionHandler(e -> {
                    group.tally().handshakeFailed(HandshakeFailure.TLS);
                    LOG.infof("tunnel %s: agent refused: %s", spec.name(), TlsOptions.describe(e));
                });
            }
            userServer = vertx.createNetServer(TlsOptions.server(TcpOptions.apply(new NetServerOptions()), listenTls))
                    .connectHandler(this::onUser);
            if (listenTls != null) {
                listenTls.usedBy(userServer::updateSSLOptions);
                userServer.exceptionHandler(e -> LOG.infof("tunnel %s: user refused: %s", spec.name(),
                        TlsOptions.describe(e)));
            }
            bind(agentServer, spec.tunnel(), "tunnel")
                    .compose(x -> spec.listen() instanceof Endpoint.Unix u
                            ? UnixSocketFiles.listenRestricted(userServer, spec.name(), u, spec.access())
                            : bind(userServer, spec.listen(), "listen"))
                    .onSuccess(x -> {
                        group.start();
                        listening = true;
                        LOG.infof("tunnel %s: server end listening for users on %s%s, for agents on %s%s",
                                spec.name(), describe(userServer, spec.listen()),
                                tlsNote(spec.listenTls(), "user"), describe(agentServer, spec.tunnel()),
                                tlsNote(spec.tls(), "agent"));
                    })
                    .onFailure(e -> closeServers())
                    .onComplete(started);
        });
        return started.future();
    }

    private static String tlsNote(TlsSpec.Server tls, String peer) {
        return tls == null ? "" : tls.clientCa() == null ? " (TLS)" : " (TLS, " + peer + " certificates required)";
    }

    /**
     * The TLS files of both listeners, loaded by {@link #start()}, for a {@link dev.itt.config.FileWatcher} to poll;
     * empty before the start and where both sides are plaintext.
     */
    @Override
    public List<TlsFiles> tlsFiles() {
        return Stream.of(tunnelTls, listenTls).filter(f -> f != null).toList();
    }

    private Future<Void> bind(NetServer server, Endpoint endpoint, String key) {
        SocketAddress address = endpoint instanceof Endpoint.Unix u
                ? SocketAddress.domainSocketAddress(u.path())
                : SocketAddress.inetSocketAddress(((Endpoint.Tcp) endpoint).port(), ((Endpoint.Tcp) endpoint).host());
        return server.listen(address).<Void>mapEmpty().recover(e -> Future.failedFuture(new IllegalStateException(
                "tunnel " + spec.name() + ": cannot listen on " + key + " address " + endpoint + ": " + e.getMessage(), e)));
    }

    private void onAgent(NetSocket socket) {
        if (stopping) {
            socket.close();
            return;
        }
        java.net.SocketAddress agent = Connection.remoteAddress(socket);
        Admission.HandshakeSlot handshake = admission.admitAgent(socket, agent);
        if (handshake == null) {
            return;
        }
        String peer = Connection.describe(agent);
        if (!group.hasRoomForAgent()) {
            handshake.release();
            // as the Go server: one agent at a time; a second is closed at once while the first is alive
            LOG.infof("tunnel %s: agent %s refused: this tunnel's protocol serves %d agent(s) at a time, all taken",
                    spec.name(), peer, group.maxAgents());
            socket.close();
            return;
        }
        group.attach(socket, new SessionHandler() {
            @Override
            public void onEstablished(Session s) {
                handshake.release();
                LOG.infof("tunnel %s: agent %s connected (%d agents)", spec.name(), peer, group.stats().agents());
            }

            @Override
            public void onClosed(Session s, ErrorCode code, String reason) {
                handshake.release(); // a no-op once established
                LOG.infof("tunnel %s: agent %s gone: %s (%d agents)", spec.name(), peer, reason,
                        group.stats().agents());
            }
        });
    }

    private void onUser(NetSocket socket) {
        java.net.SocketAddress user = Connection.remoteAddress(socket);
        if (!stopping && !admission.admitUser(socket, user)) {
            return;
        }
        MuxStream stream = stopping ? null : group.open(user, Connection.localAddress(socket));
        if (stream == null) {
            group.tally().streamFailed(StreamFailure.NO_AGENT);
            access.turnedAway(user, stopping);
            socket.close();
            return;
        }
        if (listenTls == null) {
            // over TLS, the user's close_notify ends the connection; a half-close is not carried (SECURITY.md)
            HalfClose.enable(socket);
        }
        Connection connection = new Connection(socket);
        listenAddress.share(connection);
        StreamBridge.joinUser(connection, stream, spec.name(), access);
        if (LOG.isInfoEnabled()) {
            LOG.infof("tunnel %s stream %d: user %s connected", spec.name(), stream.id(), Connection.describe(user));
        }
    }

    /**
     * Stops taking users and agents, sends GO_AWAY, lets streams finish for the drain time, then closes all; a
     * second call waits for the first.
     */
    @Override
    public Future<Void> stop() {
        Promise<Void> result = Promise.promise();
        group.context().runOnContext(v -> {
            if (stopDone != null) {
                stopDone.future().onComplete(result);
                return;
            }
            stopDone = result;
            stopping = true;
            listening = false;
            group.drain("server shutting down", spec.drainTimeout())
                    .compose(x -> closeServers())
                    .onComplete(x -> {
                        UnixSocketFiles.remove(spec.tunnel());
                        UnixSocketFiles.remove(spec.listen());
                        admission.close();
                        stopped = true;
                        LOG.infof("tunnel %s: server end stopped", spec.name());
                        result.complete();
                    });
        });
        return result.future();
    }

    private Future<Void> closeServers() {
        Future<Void> a = agentServer == null ? Future.succeededFuture() : agentServer.close();
        Future<Void> b = userServer == null ? Future.succeededFuture() : userServer.close();
        return Future.join(a, b).mapEmpty();
    }

    private static String describe(NetServer server, Endpoint endpoint) {
        return endpoint instanceof Endpoint.Tcp tcp ? tcp.host() + ":" + server.actualPort() : endpoint.toString();
    }

    @Override
    public EndState state() {
        if (stopped) {
            return EndState.STOPPED;
        }
        if (group.isDraining()) {
            return EndState.DRAINING;
        }
        if (!listening) {
            return EndState.STARTING;
        }
        // an agent that has said GO_AWAY is leaving: it takes no users, so it does not make the end ready
        return group.stats().acceptingAgents() > 0 ? EndState.AGENTS_CONNECTED : EndState.LISTENING;
    }

    /** Both listeners bound and, if {@code ready-requires-agent}, an agent with a session; not while draining. */
    @Override
    public boolean isReady() {
        EndState state = state();
        return state == EndState.AGENTS_CONNECTED || state == EndState.LISTENING && !spec.readyRequiresAgent();
    }

    @Override
    public java.time.Duration drainTimeout() {
        return spec.drainTimeout();
    }

    @Override
    public EndStats stats() {
        return group.stats();
    }

    @Override
    public void recordOpenTimes(java.util.function.LongConsumer times) {
        group.recordOpenTimes(times);
    }

    @Override
    public LimitHits limitHits() {
        return admission.hits();
    }

    /** The bound port of the listen address (for port 0), or -1 for a Unix socket. */
    public int listenPort() {
        return spec.listen() instanceof Endpoint.Tcp ? userServer.actualPort() : -1;
    }

    public int tunnelPort() {
        return spec.tunnel() instanceof Endpoint.Tcp ? agentServer.actualPort() : -1;
    }
}
