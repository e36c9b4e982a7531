package dev.itt.runtime;

import dev.itt.agent.AgentEnd;
import dev.itt.config.ConfigException;
import dev.itt.config.ConfigValidator;
import dev.itt.config.FileWatcher;
import dev.itt.config.IttConfig;
import dev.itt.config.TokenFileCredentials;
import dev.itt.config.TunnelSpec;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.Role;
import dev.itt.server.ServerEnd;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts every configured tunnel on start-up and stops every one it started on shutdown (dev mode keeps the
 * Vert.x instance across restarts: a listener left open would keep its port and answer with the old code).
 */
@Singleton
public class TunnelManager {
    private static final Logger LOG = Logger.getLogger(TunnelManager.class);
    /**
     * How often token files and TLS files are compared with what was read last (docs/CONFIGURATION.md, token-file
     * and §8).
     */
    static final Duration FILE_POLL = Duration.ofSeconds(1);

    @Inject
    Vertx vertx;

    @Inject
    IttConfig config;

    @Inject
    TunnelMetrics metrics;

    @Inject
    TunnelHealth health;

    /** Set to true by {@code itt check}: validate at start-up, start nothing. */
    public static final String CHECK_ONLY = "dev.itt.check-only";

    @ConfigProperty(name = CHECK_ONLY, defaultValue = "false")
    boolean checkOnly;

    private final List<TunnelEnd> ends = new CopyOnWriteArrayList<>();
    private volatile List<TunnelSpec> specs = List.of();
    /** Re-reads the token files and TLS files of the running tunnels; null while none is watched. */
    private FileWatcher files;
    /** Every configured tunnel was started (the start-up check). */
    private volatile boolean started;

    void onStart(@Observes StartupEvent event) {
        specs = ConfigValidator.validate(config.tunnels(), System.getenv());
        if (specs.isEmpty()) {
            String none = "no tunnels configured: set itt.tunnels.NAME.listen and .tunnel (server end) or"
                    + " .downstream and .upstream (agent), or run 'itt server' / 'itt client'";
            // dev mode and tests start with none configured: the demo tunnels, or tests that make their own
            if (!devOrTest()) {
                throw new ConfigException(List.of(none));
            }
            LOG.warn(none);
        }
        if (checkOnly) {
            return; // itt check: validated, nothing opened
        }
        for (TunnelSpec spec : specs) {
            if (spec.session().credentials() instanceof TokenFileCredentials file) {
                watcher().watch(file);
            }
            TunnelEnd end = spec instanceof TunnelSpec.Server s ? new ServerEnd(vertx, s)
                    : new AgentEnd(vertx, (TunnelSpec.Agent) spec);
            ends.add(end);
            metrics.register(end);
            health.register(end);
        }
        // servers first: an agent of this same process then finds its server listening on the first dial
        List<String> failures = new ArrayList<>();
        for (Role role : List.of(Role.SERVER, Role.AGENT)) {
            if (failures.isEmpty()) {
                await(ends.stream().filter(e -> e.role() == role).map(TunnelEnd::start).toList(), failures);
            }
        }
        if (!failures.isEmpty()) {
            stopAll();
            throw new ConfigException("cannot start tunnels", failures);
        }
        for (TunnelEnd end : ends) {
            end.tlsFiles().forEach(watcher()::watch); // loaded by start
        }
        started = true;
    }

    private static boolean devOrTest() {
        return ConfigUtils.isProfileActive(LaunchMode.DEV_PROFILE)
                || ConfigUtils.isProfileActive(LaunchMode.TEST_PROFILE);
    }

    private FileWatcher watcher() {
        if (files == null) {
            files = new FileWatcher(FILE_POLL);
        }
        return files;
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
        if (files != null) {
            files.close();
            files = null;
        }
        List<Future<Void>> stopped = new ArrayList<>();
        long waitMillis = 2_000;
        for (TunnelEnd end : ends) {
            stopped.add(end.stop());
            waitMillis = Math.max(waitMillis, end.drainTimeout().toMillis() + 2_000);
        }
        try {
            Future.join(new ArrayList<>(stopped)).toCompletionStage().toCompletableFuture()
                    .get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            LOG.warnf("tunnels did not stop cleanly: %s", e.toString());
        }
        ends.clear();
        metrics.clear();
        health.clear();
    }

    /** Whether every configured tunnel was started: server ends listen, agents dial. */
    public boolean started() {
        return started;
    }

    /** The tunnels as validated at start-up. */
    public List<TunnelSpec> specs() {
        return specs;
    }

    /** The ends this process runs, servers and agents, in configuration order. */
    public List<TunnelEnd> ends() {
        return ends;
    }
}
