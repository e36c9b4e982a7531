package dev.itt.testing;

import dev.itt.agent.AgentEnd;
import dev.itt.config.Access;
import dev.itt.config.DialTarget;
import dev.itt.config.Endpoint;
import dev.itt.config.ProxyProtocol;
import dev.itt.config.ProxyUrl;
import dev.itt.config.TlsSpec;
import dev.itt.config.TunnelSpec;
import dev.itt.end.EndStats;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.SessionConfig;
import dev.itt.server.ServerEnd;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real server end and agents on loopback, in this JVM, on a Vert.x with the native transport. */
public final class TunnelFixture implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);

    public final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    public final List<AgentEnd> agents = new ArrayList<>();
    public ServerEnd server;
    private SessionConfig session = TestConfigs.session("t", null);
    private String listen = "127.0.0.1:0";
    private String tunnel = "127.0.0.1:0";
    private TunnelSpec.Wire wire = TunnelSpec.Wire.NATIVE;
    private TlsSpec.Server serverTls;
    private TlsSpec.Server listenTls;
    private TlsSpec.Agent agentTls;
    private ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
    private Access access = TestConfigs.access();
    private boolean readyRequiresAgent = TestConfigs.readyRequiresAgent();
    /** Short, so that most tests need not wait for a reconnect; {@link #defaultReconnect()} for the real ones. */
    private Duration reconnectMin = Duration.ofMillis(50);
    private Duration reconnectMax = Duration.ofSeconds(1);

    public TunnelFixture() {
        if (!vertx.isNativeTransportEnabled()) {
            throw new AssertionError("native transport unavailable: " + vertx.unavailableNativeTransportCause());
        }
    }

    public TunnelFixture session(SessionConfig session) {
        this.session = session;
        return this;
    }

    /** The seed's legacy wire format on both ends, with the configuration's default payload cap. */
    public TunnelFixture legacy() {
        this.wire = TestConfigs.wire("legacy");
        return this;
    }

    /** The seed's legacy wire format on both ends, accepting data messages up to {@code maxPayload} bytes. */
    public TunnelFixture legacy(int maxPayload) {
        this.wire = new TunnelSpec.Wire(true, maxPayload);
        return this;
    }

    /** TLS on the server end's tunnel port (null: plaintext), for servers started from now on. */
    public TunnelFixture serverTls(TlsSpec.Server tls) {
        this.serverTls = tls;
        return this;
    }

    /** TLS for the users at the server end's listen (null: plaintext), for servers started from now on. */
    public TunnelFixture listenTls(TlsSpec.Server tls) {
        this.listenTls = tls;
        return this;
    }

    /** TLS on the agents' dial of the server end (null: plaintext), for agents started from now on. */
    public TunnelFixture agentTls(TlsSpec.Agent tls) {
        this.agentTls = tls;
        return this;
    }

    /** The PROXY protocol header of the upstream connections of agents started from now on. */
    public TunnelFixture proxyProtocol(ProxyProtocol protocol) {
        this.proxyProtocol = protocol;
        return this;
    }

    /** Who may connect to the server end (see {@link TestConfigs#access}). */
    public TunnelFixture access(Access access) {
        this.access = access;
        return this;
    }

    /** Whether the server end's readiness waits for an agent ({@code ready-requires-agent}). */
    public TunnelFixture readyRequiresAgent(boolean requires) {
        this.readyRequiresAgent = requires;
        return this;
    }

    /** Agents started from now on use {@code reconnect-min} and {@code reconnect-max} at their defaults. */
    public TunnelFixture defaultReconnect() {
        reconnectMin = TestConfigs.reconnectMin();
        reconnectMax = TestConfigs.reconnectMax();
        return this;
    }

    public TunnelFixture listen(String listen) {
        this.listen = listen;
        return this;
    }

    public TunnelFixture tunnel(String tunnel) {
        this.tunnel = tunnel;
        return this;
    }

    public TunnelFixture startServer() {
        server = new ServerEnd(vertx, new TunnelSpec.Server("t", Endpoint.parse(listen), Endpoint.parse(tunnel), session,
                Duration.ofSeconds(2), wire, serverTls, access, listenTls, readyRequiresAgent));
        join(server.start());
        return this;
    }

    /** The address agents dial: the server's bound tunnel port, or its Unix socket. */
    public String tunnelAddress() {
        return server.tunnelPort() > 0 ? "127.0.0.1:" + server.tunnelPort() : tunnel;
    }

    public int userPort() {
        return server.listenPort();
    }

    public AgentEnd startAgent(String upstream) {
        return startAgent(tunnelAddress(), upstream, null);
    }

    public AgentEnd startAgent(String downstream, String upstream, String proxy) {
        return startAgent(vertx, downstream, upstream, proxy);
    }

    /** An agent on its own Vert.x: closing that Vert.x drops its connections as a killed process would. */
    public AgentEnd startAgent(Vertx on, String downstream, String upstream, String proxy) {
        AgentEnd agent = new AgentEnd(on, new TunnelSpec.Agent("t", DialTarget.parse(downstream),
                DialTarget.parse(upstream), proxy == null ? null : ProxyUrl.parse(proxy), session,
                Duration.ofSeconds(5), reconnectMin, reconnectMax, Duration.ofSeconds(2), wire,
                agentTls, proxyProtocol));
        if (on == vertx) {
            agents.add(agent);
        }
        join(agent.start());
        return agent;
    }

    /** Starts an agent and waits until both it and the server see the session (legacy has no handshake). */
    public AgentEnd connectedAgent(String upstream) {
        AgentEnd agent = startAgent(upstream);
        Await.until("the agent to connect", WAIT, agent::isReady);
        long connected = agents.stream().filter(AgentEnd::isReady).count();
        Await.until("the server to see " + connected + " agents", WAIT, () -> server.stats().agents() >= connected);
        return agent;
    }

    /**
     * The end's stats as its loop publishes them after this call (within a second): a figure that must change,
     * such as streams dropping to 0, is never read from a snapshot taken before it could have.
     */
    public static EndStats fresh(TunnelEnd end) {
        long asked = System.nanoTime();
        Await.until("a stats snapshot of tunnel " + end.name() + " newer than the question", WAIT,
                () -> end.stats().takenNanos() - asked > 0);
        return end.stats();
    }

    public static <T> T join(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (AgentEnd a : agents) {
            join(a.stop());
        }
        if (server != null) {
            join(server.stop());
        }
        join(vertx.close());
    }
}
