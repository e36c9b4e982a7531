package dev.itt.runtime;

import dev.itt.agent.AgentEnd;
import dev.itt.config.ConfigValidator;
import dev.itt.config.IttConfig;
import dev.itt.config.TunnelSpec;
import dev.itt.server.ServerEnd;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Starts every configured tunnel on start-up and stops every one it started on shutdown (dev mode keeps the
 * Vert.x instance across restarts: a listener left open would keep its port and answer with the old code).
 */
@Singleton
public class TunnelManager {
    private static final Logger LOG = Logger.getLogger(TunnelManager.class);

    @Inject
    Vertx vertx;

    @Inject
    IttConfig config;

    @Inject
    TunnelMetrics metrics;

    private final List<ServerEnd> servers = new CopyOnWriteArrayList<>();
    private final List<AgentEnd> agents = new CopyOnWriteArrayList<>();

    void onStart(@Observes StartupEvent event) {
        List<TunnelSpec> specs = ConfigValidator.validate(config.tunnels(), System.getenv());
        if (specs.isEmpty()) {
            LOG.warn("no tunnels configured: set itt.tunnels.NAME.listen and .tunnel (server end) or"
                    + " .downstream and .upstream (client end), or run 'itt server' / 'itt client'");
        }
        // servers first: an agent of this same process then finds its server listening on the first dial
        List<String> failures = new ArrayList<>();
        List<Future<Void>> started = new ArrayList<>();
        for (TunnelSpec spec : specs) {
            if (spec instanceof TunnelSpec.Server s) {
                ServerEnd end = new ServerEnd(vertx, s);
                servers.add(end);
                metrics.register(end);
                started.add(end.start());
            }
        }
        await(started, failures);
        if (failures.isEmpty()) {
            started.clear();
            for (TunnelSpec spec : specs) {
                if (spec instanceof TunnelSpec.Agent a) {
                    AgentEnd end = new AgentEnd(vertx, a);
                    agents.add(end);
                    metrics.register(end);
                    started.add(end.start());
                }
            }
            await(started, failures);
        }
        if (!failures.isEmpty()) {
            stopAll();
            throw new IllegalStateException("cannot start tunnels:\n  - " + String.join("\n  - ", failures));
        }
    }

    private static void await(List<Future<Void>> started, List<String> failures) {
        for (Future<Void> f : started) {
            try {
                f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures.add(e.getCause().getMessage());
            } catch (InterruptedException | TimeoutException e) {
                failures.add("start-up interrupted or timed out: " + e);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopAll();
    }

    private void stopAll() {
        List<Future<Void>> stopped = new ArrayList<>();
        long waitMillis = 2_000;
        for (ServerEnd s : servers) {
            stopped.add(s.stop());
            waitMillis = Math.max(waitMillis, s.spec().drainTimeout().toMillis() + 2_000);
        }
        for (AgentEnd a : agents) {
            stopped.add(a.stop());
            waitMillis = Math.max(waitMillis, a.spec().drainTimeout().toMillis() + 2_000);
        }
        try {
            Future.join(new ArrayList<>(stopped)).toCompletionStage().toCompletableFuture()
                    .get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            LOG.warnf("tunnels did not stop cleanly: %s", e.toString());
        }
        servers.clear();
        agents.clear();
        metrics.clear();
    }

    public List<ServerEnd> servers() {
        return servers;
    }

    public List<AgentEnd> agents() {
        return agents;
    }
}
