package dev.itt.mux;

import dev.itt.testing.Await;
import dev.itt.testing.TunnelFixture;
import dev.itt.vertx.Connection;
import dev.itt.vertx.Internals;
import dev.itt.vertx.SocketTransport;
import dev.itt.vertx.TcpOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A server session and an agent session joined by a real TCP connection on 127.0.0.1, wired to their sockets as
 * the tunnel ends wire them (socket, {@link Connection}, {@link SocketTransport}, {@link Session}), on a Vert.x
 * with the native transport. Both sessions and both sockets live on one event loop, the sessions' thread: every
 * step and every condition is marshalled onto it, and settling is waiting, with {@link Await}, until a condition
 * holds there.
 */
final class TcpLink implements Link {
    private static final Duration WAIT = TunnelFixture.WAIT;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    private final Context loop;
    private final SessionConfig serverConfig;
    private final SessionConfig agentConfig;
    private final SessionRecorder serverEvents = new SessionRecorder();
    private final SessionRecorder agentEvents = new SessionRecorder();
    // written and read on the loop only; the test thread reads them after a step, which orders the two
    private Session server;
    private Session agent;
    private SocketTransport agentTransport;
    private Throwable connectFailure;

    TcpLink(SessionConfig serverConfig, SessionConfig agentConfig) {
        this.serverConfig = serverConfig;
        this.agentConfig = agentConfig;
        this.loop = Internals.newEventLoop(vertx);
    }

    /** Listens, connects, and waits until the handshake has ended, whatever the end is. */
    TcpLink start() {
        try {
            if (!vertx.isNativeTransportEnabled()) {
                throw new AssertionError("native transport unavailable: " + vertx.unavailableNativeTransportCause());
            }
            run(this::connect);
            settle("the handshake to end", this::handshakeOver);
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void connect() {
        vertx.createNetServer(TcpOptions.apply(new NetServerOptions()))
                .connectHandler(socket -> server = attach(Role.SERVER, socket, serverConfig, serverEvents))
                .listen(0, "127.0.0.1")
                .compose(listening -> vertx.createNetClient(TcpOptions.apply(new NetClientOptions()))
                        .connect(listening.actualPort(), "127.0.0.1"))
                .onSuccess(socket -> agent = attach(Role.AGENT, socket, agentConfig, agentEvents))
                .onFailure(e -> connectFailure = e);
    }

    private Session attach(Role role, NetSocket socket, SessionConfig config, SessionRecorder events) {
        SocketTransport transport = new SocketTransport(new Connection(socket));
        Session session = new Session(role, transport, config, events, Dialect.nativeProtocol());
        if (role == Role.AGENT) {
            agentTransport = transport;
        }
        transport.bind(session);
        return session;
    }

    /**
     * Both ends refused or closed, or both established and each has its first round trip: the PINGs sent on
     * establishing came back, so each end has also read the session WINDOW_UPDATE its peer sent before its PING.
     */
    private boolean handshakeOver() {
        if (connectFailure != null) {
            throw new AssertionError("cannot connect over loopback", connectFailure);
        }
        if (server == null || agent == null) {
            return false;
        }
        return server.isClosed() && agent.isClosed() || server.rttNanos() > 0 && agent.rttNanos() > 0;
    }

    @Override
    public Session server() {
        return server;
    }

    @Override
    public Session agent() {
        return agent;
    }

    @Override
    public SessionRecorder serverEvents() {
        return serverEvents;
    }

    @Override
    public SessionRecorder agentEvents() {
        return agentEvents;
    }

    @Override
    public void run(Runnable step) {
        get(() -> {
            step.run();
            return null;
        });
    }

    @Override
    public <T> T get(Supplier<T> value) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.runOnContext(v -> {
            try {
                result.complete(value.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the sessions' event loop did not run a step within " + WAIT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void settle(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, () -> get(condition::getAsBoolean));
    }

    @Override
    public void dropAgentConnection() {
        run(() -> agentTransport.close());
    }

    @Override
    public void close() {
        TunnelFixture.join(vertx.close());
    }
}
