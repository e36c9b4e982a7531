package dev.itt.agent;

import dev.itt.config.ProxyProtocol;
import dev.itt.config.TunnelSpec;
import dev.itt.end.EndState;
import dev.itt.end.EndStats;
import dev.itt.end.SessionGroup;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.HandshakeFailure;
import dev.itt.mux.MuxStream;
import dev.itt.mux.Role;
import dev.itt.mux.Session;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.UserAddresses;
import dev.itt.vertx.Connection;
import dev.itt.vertx.HalfClose;
import dev.itt.vertx.SharedAddress;
import dev.itt.vertx.ProxyHeader;
import dev.itt.vertx.StreamBridge;
import dev.itt.vertx.TlsFiles;
import dev.itt.vertx.TlsOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The agent of one tunnel: keeps one session to the server's tunnel address, reconnecting with jittered
 * exponential backoff, and dials the upstream for every stream the server opens, as many at once as
 * {@link DialQueue} lets run. The session and every upstream
 * socket live on its {@link SessionGroup}'s event loop. A run of failed attempts is logged at warn when it starts and
 * then at most once a minute (with the attempt count and the next delay), the other attempts at debug; see
 * {@link RetryLog}. A session that was established and is lost (a server end draining for a restart) is redialed at
 * once and then at least once a second for a minute; see {@link Backoff}.
 */
public final class AgentEnd implements TunnelEnd {
    private static final Logger LOG = Logger.getLogger(AgentEnd.class);

    /** How often a failure that persists is logged again at warn. */
    private static final long REPEAT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Vertx vertx;
    private final TunnelSpec.Agent spec;
    private final SessionGroup group;
    private final Context context;
    private final Backoff backoff;
    private final RetryLog retries = new RetryLog(REPEAT_NANOS);
    /** How logs name the upstream; one string for every stream. */
    private final String upstreamLabel;
    /** The upstream's address, one copy for every upstream socket (on the loop). */
    private final SharedAddress upstreamAddress = SharedAddress.remote();
    /** The PROXY protocol header each upstream connection starts with, or null for none. */
    private final ProxyHeader proxyHeader;
    /** The upstream dials in flight, and the streams waiting for one. */
    private final DialQueue dials;
    private Dialer dialer;
    /** Dials the server end: {@link #dialer} itself without TLS, a TLS dialer with it. */
    private Dialer serverDialer;
    /** The TLS material of the dial to the server end, or null for plaintext; loaded by {@link #start()}. */
    private volatile TlsFiles tls;
    private long reconnectTimer = -1;
    private volatile boolean connected;
    private volatile boolean started;
    private volatile boolean stopped;
    private boolean stopping;
    /** The first {@link #stop}'s outcome, which a second call returns; on the loop. */
    private Promise<Void> stopDone;

    public AgentEnd(Vertx vertx, TunnelSpec.Agent spec) {
        this.vertx = vertx;
        this.spec = spec;
        // a PROXY header needs the user's addresses, which the server end sends only when HELLO asks for them
        this.group = new SessionGroup(vertx, Role.AGENT,
                spec.session().asksAddresses(spec.proxyProtocol() != ProxyProtocol.NONE), spec.wire());
        this.context = group.context();
        this.backoff = new Backoff(spec.reconnectMin().toMillis(), spec.reconnectMax().toMillis());
        this.upstreamLabel = "upstream " + spec.upstream();
        this.proxyHeader = ProxyHeader.of(spec.name(), spec.proxyProtocol());
        this.dials = new DialQueue(spec.name(), context, spec.session().maxPendingOpens(), spec.session().maxStreams(),
                spec.connectTimeout(), this::dialUpstream);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public Role role() {
        return Role.AGENT;
    }

    /** Starts dialing; completes at once: a server that is not there yet is retried, not an error. */
    @Override
    public Future<Void> start() {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> {
            try {
                tls = spec.tls() == null ? null
                        : TlsFiles.load(vertx, spec.name(), spec.tls(), spec.session().handshakeTimeout());
            } catch (IllegalStateException e) {
                result.fail(e);
                return;
            }
            dialer = new Dialer(vertx, spec.proxy(), spec.connectTimeout());
            serverDialer = tls == null ? dialer
                    : new Dialer(vertx, spec.proxy(), spec.connectTimeout(), tls, spec.tls().serverName());
            group.start();
            started = true;
            connect();
            result.complete();
        });
        return result.future();
    }

    private void connect() {
        reconnectTimer = -1;
        if (stopping) {
            return;
        }
        serverDialer.dial(spec.downstream()).onComplete(ar -> {
            if (ar.succeeded()) {
                onConnected(ar.result());
            } else {
                if (TlsOptions.isTlsFailure(ar.cause())) {
                    group.tally().handshakeFailed(HandshakeFailure.TLS);
                }
                retry("cannot reach server " + spec.downstream() + ": " + TlsOptions.describe(ar.cause()));
            }
        });
    }

    private void onConnected(NetSocket socket) {
        if (stopping) {
            socket.close();
            return;
        }
        group.attach(socket, new SessionHandler() {
            @Override
            public void onEstablished(Session s) {
                connected = true;
                backoff.reset();
                int failed = retries.succeeded();
                LOG.infof("tunnel %s: connected to server %s%s", spec.name(), spec.downstream(),
                        failed == 0 ? "" : " after " + failed + " failed attempt" + (failed == 1 ? "" : "s"));
            }

            @Override
            public void onStreamOpened(Session s, MuxStream stream, UserAddresses addresses) {
                // Dial after this event-loop turn's batch of epoll events: a socket closed earlier in the batch
                // frees its descriptor, a socket made now could get the same number, and Netty would hand it the
                // closed socket's events still waiting in the batch (a read before connect: ENOTCONN, logged as a
                // pipeline warning; a stale hang-up: the new socket closed before it connects).
                context.runOnContext(v -> dials.offer(stream, addresses));
            }

            @Override
            public void onClosed(Session s, ErrorCode code, String reason) {
                boolean wasUp = connected;
                connected = false;
                if (stopping) {
                    return;
                }
                if (wasUp) {
                    // most often a server end draining (GO_AWAY NO_ERROR) for a restart: redial now, not after
                    // a backoff grown while the session was up, and keep redialing soon while it comes back
                    backoff.sessionLost(System.nanoTime());
                }
                retry("lost server " + spec.downstream() + ": " + reason + " (" + code + ")");
            }
        });
    }

    /** One upstream dial, started by {@link #dials} in its turn; tells it when the dial is over. */
    private void dialUpstream(MuxStream stream, UserAddresses addresses) {
        dialer.dial(spec.upstream()).onComplete(ar -> {
            dials.ended();
            if (ar.failed()) {
                ErrorCode code = DialErrors.classify(ar.cause());
                String reason = ar.cause().getMessage() != null ? ar.cause().getMessage() : ar.cause().toString();
                LOG.infof("tunnel %s stream %d: upstream %s failed: %s (%s)", spec.name(), stream.id(),
                        spec.upstream(), reason, code);
                stream.refuse(code, reason);
                return;
            }
            NetSocket socket = ar.result();
            if (stream.state().isTerminal()) {
                socket.close();
                return;
            }
            HalfClose.enable(socket);
            Connection upstream = new Connection(socket);
            upstreamAddress.share(upstream);
            if (proxyHeader != null) {
                proxyHeader.write(upstream, stream.id(), addresses); // before the stream's bytes, held until the join
            }
            StreamBridge.joinUpstream(upstream, stream, spec.name(), upstreamLabel);
            stream.accept();
            LOG.infof("tunnel %s stream %d: upstream %s connected", spec.name(), stream.id(), spec.upstream());
        });
    }

    /** One failed attempt (a dial, or a session that ended): logged as {@link RetryLog} decides, then redialed. */
    private void retry(String failure) {
        if (stopping || reconnectTimer >= 0) {
            return;
        }
        long now = System.nanoTime();
        long delay = backoff.nextDelayMillis(now);
        boolean loud = retries.failed(now);
        if (loud || LOG.isDebugEnabled()) {
            String line = String.format("tunnel %s: %s; attempt %d failed, reconnecting in %d ms (backoff up to %d s)",
                    spec.name(), failure, retries.attempts(), delay, spec.reconnectMax().toSeconds());
            if (loud) {
                LOG.warn(line);
            } else {
                LOG.debug(line);
            }
        }
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    /** Sends GO_AWAY, lets open streams finish for the drain time, then closes; a second call waits for the first. */
    @Override
    public Future<Void> stop() {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> {
            if (stopDone != null) {
                stopDone.future().onComplete(result);
                return;
            }
            stopDone = result;
            stopping = true;
            if (reconnectTimer >= 0) {
                vertx.cancelTimer(reconnectTimer);
            }
            group.drain("agent shutting down", spec.drainTimeout()).onComplete(x -> {
                Future<Void> closed = dialer == null ? Future.succeededFuture()
                        : serverDialer == dialer ? dialer.close()
                        : Future.join(dialer.close(), serverDialer.close()).mapEmpty();
                closed.onComplete(y -> {
                    stopped = true;
                    LOG.infof("tunnel %s: agent stopped", spec.name());
                    result.complete();
                });
            });
        });
        return result.future();
    }

    /**
     * The TLS files of the dial to the server end, loaded by {@link #start()}, for a
     * {@link dev.itt.config.FileWatcher} to poll; empty before the start and without TLS.
     */
    @Override
    public List<TlsFiles> tlsFiles() {
        return tls == null ? List.of() : List.of(tls);
    }

    @Override
    public EndState state() {
        if (stopped) {
            return EndState.STOPPED;
        }
        if (group.isDraining()) {
            return EndState.DRAINING;
        }
        if (!started) {
            return EndState.STARTING;
        }
        return connected ? EndState.SESSION_UP : EndState.CONNECTING;
    }

    /** A session to the server is up (handshake done), and the agent is not draining. */
    @Override
    public boolean isReady() {
        return state() == EndState.SESSION_UP;
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
}
