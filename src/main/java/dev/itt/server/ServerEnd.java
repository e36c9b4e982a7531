package dev.itt.server;

import dev.itt.config.Endpoint;
import dev.itt.config.TunnelSpec;
import dev.itt.mux.MuxStream;
import dev.itt.legacy.LegacyCodec;
import dev.itt.mux.Role;
import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.NativeCodec;
import dev.itt.mux.Session;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.vertx.Connection;
import dev.itt.vertx.HalfClose;
import dev.itt.vertx.SocketTransport;
import dev.itt.vertx.StreamBridge;
import dev.itt.vertx.TcpOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * The server end of one tunnel: agents connect to {@code tunnel}, users to {@code listen}; each user becomes a
 * stream on a live agent's session (the one with the fewest streams). Both listeners, every session and every
 * user socket live on one event loop, so the sessions need no locks.
 */
public final class ServerEnd {
    private static final Logger LOG = Logger.getLogger(ServerEnd.class);

    private final Vertx vertx;
    private final TunnelSpec.Server spec;
    private final ContextInternal context;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private NetServer agentServer;
    private NetServer userServer;
    private long tickTimer = -1;
    private volatile boolean listening;
    private volatile boolean stopping;

    public ServerEnd(Vertx vertx, TunnelSpec.Server spec) {
        this.vertx = vertx;
        this.spec = spec;
        this.context = ((VertxInternal) vertx).createEventLoopContext();
    }

    public TunnelSpec.Server spec() {
        return spec;
    }

    /** Binds both listeners; fails with a message naming the tunnel and the address that could not be bound. */
    public Future<Void> start() {
        try {
            UnixSocketFiles.prepare(vertx, spec.name(), "tunnel", spec.tunnel());
            UnixSocketFiles.prepare(vertx, spec.name(), "listen", spec.listen());
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        Promise<Void> started = Promise.promise();
        context.runOnContext(v -> {
            agentServer = vertx.createNetServer(TcpOptions.apply(new NetServerOptions())).connectHandler(this::onAgent);
            userServer = vertx.createNetServer(TcpOptions.apply(new NetServerOptions())).connectHandler(this::onUser);
            bind(agentServer, spec.tunnel(), "tunnel")
                    .compose(x -> bind(userServer, spec.listen(), "listen"))
                    .onSuccess(x -> {
                        tickTimer = vertx.setPeriodic(1000, id -> tick());
                        listening = true;
                        LOG.infof("tunnel %s: server end listening for users on %s, for agents on %s", spec.name(),
                                describe(userServer, spec.listen()), describe(agentServer, spec.tunnel()));
                    })
                    .onFailure(e -> closeServers())
                    .onComplete(started);
        });
        return started.future();
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
        String peer = String.valueOf(socket.remoteAddress());
        if (spec.wire().legacy() && !sessions.isEmpty()) {
            // as the Go server: one agent at a time; a second is closed at once while the first is alive
            LOG.infof("tunnel %s: second agent %s refused: the legacy protocol serves one agent at a time",
                    spec.name(), peer);
            socket.close();
            return;
        }
        SocketTransport transport = new SocketTransport(new Connection(socket));
        Session session = new Session(Role.SERVER, transport, spec.session(), new SessionHandler() {
            @Override
            public void onEstablished(Session s) {
                LOG.infof("tunnel %s: agent %s connected (%d agents)", spec.name(), peer, agents());
            }

            @Override
            public void onClosed(Session s, ErrorCode code, String reason) {
                sessions.remove(s);
                LOG.infof("tunnel %s: agent %s gone: %s (%d agents)", spec.name(), peer, reason, agents());
            }
        }, codec());
        sessions.add(session);
        transport.bind(session);
    }

    private void onUser(NetSocket socket) {
        Session session = stopping ? null : pickSession();
        // only the legacy format keys streams by the user's address
        MuxStream stream = session == null ? null : session.open(spec.wire().legacy() ? userAddress(socket) : null);
        if (stream == null) {
            LOG.infof("tunnel %s: user %s turned away: %s", spec.name(),
                    Connection.describe(Connection.remoteAddress(socket)),
                    stopping ? "server is shutting down" : "no agent connected");
            socket.close();
            return;
        }
        HalfClose.enable(socket);
        StreamBridge.joinUser(new Connection(socket), stream, spec.name());
        if (LOG.isInfoEnabled()) {
            LOG.infof("tunnel %s stream %d: user %s connected", spec.name(), stream.id(),
                    Connection.describe(Connection.remoteAddress(socket)));
        }
    }

    private Codec codec() {
        return spec.wire().legacy() ? new LegacyCodec(Role.SERVER, spec.wire().legacyMaxPayload()) : new NativeCodec();
    }

    /** The user's address as the acceptor saw it (an IP address, no name), or null for a Unix socket. */
    private static java.net.InetSocketAddress userAddress(NetSocket socket) {
        return Connection.remoteAddress(socket) instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet : null;
    }

    /** The live session with the fewest streams. */
    private Session pickSession() {
        Session best = null;
        for (Session s : sessions) {
            if (s.acceptsStreams() && (best == null || s.streamCount() < best.streamCount())) {
                best = s;
            }
        }
        return best;
    }

    private void tick() {
        long now = System.nanoTime();
        for (Session s : sessions) {
            s.tick(now);
        }
    }

    /** Stops taking users and agents, sends GO_AWAY, lets streams finish for the drain time, then closes all. */
    public Future<Void> stop() {
        Promise<Void> stopped = Promise.promise();
        context.runOnContext(v -> {
            stopping = true;
            listening = false;
            long drain = spec.drainTimeout().toNanos();
            for (Session s : sessions) {
                s.goAway(ErrorCode.NO_ERROR, "server shutting down", drain);
            }
            long deadline = System.nanoTime() + drain;
            awaitDrained(deadline, stopped);
        });
        return stopped.future();
    }

    private void awaitDrained(long deadlineNanos, Promise<Void> stopped) {
        if (sessions.isEmpty() || System.nanoTime() - deadlineNanos > 0) {
            for (Session s : sessions) {
                s.close(ErrorCode.NO_ERROR, "server shut down");
            }
            if (tickTimer >= 0) {
                vertx.cancelTimer(tickTimer);
            }
            closeServers().onComplete(x -> {
                UnixSocketFiles.remove(spec.tunnel());
                UnixSocketFiles.remove(spec.listen());
                LOG.infof("tunnel %s: server end stopped", spec.name());
                stopped.complete();
            });
            return;
        }
        vertx.setTimer(20, id -> awaitDrained(deadlineNanos, stopped));
    }

    private Future<Void> closeServers() {
        Future<Void> a = agentServer == null ? Future.succeededFuture() : agentServer.close();
        Future<Void> b = userServer == null ? Future.succeededFuture() : userServer.close();
        return Future.join(a, b).mapEmpty();
    }

    private static String describe(NetServer server, Endpoint endpoint) {
        return endpoint instanceof Endpoint.Tcp tcp ? tcp.host() + ":" + server.actualPort() : endpoint.toString();
    }

    public boolean isListening() {
        return listening;
    }

    /** Agents whose handshake is done. */
    public int agents() {
        int n = 0;
        for (Session s : sessions) {
            if (s.isEstablished()) {
                n++;
            }
        }
        return n;
    }

    public int activeStreams() {
        int n = 0;
        for (Session s : sessions) {
            n += s.streamCount();
        }
        return n;
    }

    public long bufferedBytes() {
        long n = 0;
        for (Session s : sessions) {
            n += s.bufferedBytes();
        }
        return n;
    }

    /** The highest buffered bytes any one session of this end has reached. */
    public long peakBufferedBytes() {
        long n = 0;
        for (Session s : sessions) {
            n = Math.max(n, s.peakBufferedBytes());
        }
        return n;
    }

    /** The bound port of the listen address (for port 0), or -1 for a Unix socket. */
    public int listenPort() {
        return spec.listen() instanceof Endpoint.Tcp ? userServer.actualPort() : -1;
    }

    public int tunnelPort() {
        return spec.tunnel() instanceof Endpoint.Tcp ? agentServer.actualPort() : -1;
    }
}
