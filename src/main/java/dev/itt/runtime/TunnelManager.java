package dev.itt.runtime;

import dev.itt.agent.AgentEnd;
import dev.itt.config.ConfigException;
import dev.itt.config.ConfigValidator;
import dev.itt.config.FileWatcher;
import dev.itt.config.IttConfig;
import dev.itt.config.TokenFileCredentials;
import dev.itt.config.TunnelSpec;
import dev.itt.config.TunnelValues;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.Role;
import dev.itt.server.ServerEnd;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
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
    /**
     * What each running end was made from: the values it started with, the object to hand over in dev mode (the
     * end itself, or the one an earlier start handed over), the files it re-reads (token file, TLS files).
     */
    private record Running(Map<String, List<String>> values, Object origin, List<FileWatcher.Watched> files) {}

    private final Map<TunnelEnd, Running> running = new ConcurrentHashMap<>();
    private volatile List<TunnelSpec> specs = List.of();
    /** Re-reads the token files and TLS files of the running tunnels; null while none is watched. */
    private FileWatcher files;
    /** Re-reads the configuration files and applies what changed; null outside a running process. */
    private ConfigReload reload;
    /** Every configured tunnel was started (the start-up check). */
    private volatile boolean started;

    void onStart(@Observes StartupEvent event) {
        specs = ConfigValidator.validate(config.tunnels(), System.getenv());
        requireTunnels(specs);
        if (checkOnly) {
            return; // itt check: validated, nothing opened
        }
        SmallRyeConfig live = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        Function<String, Map<String, List<String>>> values = name -> TunnelValues.of(live, name);
        List<TunnelSpec> toStart = devMode() ? takeOver(specs, values) : specs;
        List<String> failures = start(toStart, values);
        if (!failures.isEmpty()) {
            stopAll();
            throw new ConfigException("cannot start tunnels", failures);
        }
        started = true;
        reload = ConfigReload.watch(this);
    }

    /** No tunnel is a mistake, except in dev mode and tests (the demo tunnels, or tests that make their own). */
    static void requireTunnels(List<TunnelSpec> specs) {
        if (!specs.isEmpty()) {
            return;
        }
        String none = "no tunnels configured: set itt.tunnels.NAME.listen and .tunnel (server end) or"
                + " .downstream and .upstream (agent), or run 'itt server' / 'itt client'";
        if (!devOrTest()) {
            throw new ConfigException(List.of(none));
        }
        LOG.warn(none);
    }

    private static boolean devMode() {
        return LaunchMode.current() == LaunchMode.DEVELOPMENT;
    }

    /**
     * Dev mode: takes over each end an earlier start of the application left running whose values and code are
     * the same (its streams go on), stops the other ones, and returns the tunnels still to start.
     */
    private List<TunnelSpec> takeOver(List<TunnelSpec> tunnels, Function<String, Map<String, List<String>>> values) {
        Map<String, DevModeHandover.Parked> parked = DevModeHandover.takeAll(vertx);
        if (parked.isEmpty()) {
            return tunnels;
        }
        String code = DevModeHandover.code();
        List<TunnelSpec> toStart = new ArrayList<>();
        for (TunnelSpec spec : tunnels) {
            DevModeHandover.Parked p = parked.get(spec.name());
            if (p != null && p.code().equals(code) && p.values().equals(values.apply(spec.name()))) {
                parked.remove(spec.name());
                TunnelEnd end = DevModeHandover.adopt(p);
                running.put(end, new Running(p.values(), p.end(), new ArrayList<>()));
                ends.add(end);
                metrics.register(end);
                health.register(end);
            } else {
                toStart.add(spec);
            }
        }
        List<TunnelEnd> changed = new ArrayList<>();
        for (DevModeHandover.Parked p : parked.values()) {
            TunnelEnd end = DevModeHandover.adopt(p);
            running.put(end, new Running(p.values(), p.end(), new ArrayList<>()));
            changed.add(end);
        }
        stop(changed);
        LOG.infof("dev mode restart: %d tunnels carried over with their streams, %d started anew",
                ends.size(), tunnels.size() - ends.size());
        return toStart;
    }

    static boolean devOrTest() {
        return ConfigUtils.isProfileActive(LaunchMode.DEV_PROFILE)
                || ConfigUtils.isProfileActive(LaunchMode.TEST_PROFILE);
    }

    /**
     * Creates and starts these tunnels, servers first: an agent of this same process then finds its server
     * listening on the first dial. A tunnel that fails is stopped again and named in the list returned.
     */
    List<String> start(List<TunnelSpec> tunnels, Function<String, Map<String, List<String>>> values) {
        List<TunnelEnd> created = new ArrayList<>();
        for (TunnelSpec spec : tunnels) {
            TunnelEnd end = spec instanceof TunnelSpec.Server s ? new ServerEnd(vertx, s)
                    : new AgentEnd(vertx, (TunnelSpec.Agent) spec);
            List<FileWatcher.Watched> watched = new ArrayList<>();
            if (spec.session().credentials() instanceof TokenFileCredentials file) {
                watched.add(file);
                watcher().watch(file);
            }
            running.put(end, new Running(values.apply(spec.name()), end, watched));
            created.add(end);
            ends.add(end);
            metrics.register(end);
            health.register(end);
        }
        List<String> failures = new ArrayList<>();
        for (Role role : List.of(Role.SERVER, Role.AGENT)) {
            List<TunnelEnd> these = created.stream().filter(e -> e.role() == role).toList();
            List<String> failed = await(these.stream().map(TunnelEnd::start).toList());
            for (int i = 0; i < these.size(); i++) {
                TunnelEnd end = these.get(i);
                if (failed.get(i) != null) {
                    failures.add(failed.get(i));
                    stop(List.of(end));
                } else {
                    end.tlsFiles().forEach(f -> { // loaded by start
                        running.get(end).files().add(f);
                        watcher().watch(f);
                    });
                }
            }
        }
        return failures;
    }

    /** Stops these ends (each drains first, up to its drain timeout) and forgets them. */
    void stop(List<TunnelEnd> stopping) {
        List<Future<Void>> stopped = new ArrayList<>();
        long waitMillis = 2_000;
        for (TunnelEnd end : stopping) {
            stopped.add(end.stop());
            waitMillis = Math.max(waitMillis, end.drainTimeout().toMillis() + 2_000);
        }
        try {
            Future.join(new ArrayList<>(stopped)).toCompletionStage().toCompletableFuture()
                    .get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            LOG.warnf("tunnels did not stop cleanly: %s", e.toString());
        }
        for (TunnelEnd end : stopping) {
            Running r = running.remove(end);
            if (r != null && files != null) {
                r.files().forEach(files::unwatch);
            }
            ends.remove(end);
            metrics.unregister(end);
            health.unregister(end);
        }
    }

    /** The tunnels running now, by name. */
    Map<String, TunnelEnd> byName() {
        Map<String, TunnelEnd> byName = new LinkedHashMap<>();
        ends.forEach(e -> byName.put(e.name(), e));
        return byName;
    }

    /** What a reload made of the configuration: these tunnels, some of them new or changed. */
    void replaceSpecs(List<TunnelSpec> now) {
        specs = List.copyOf(now);
    }

    private FileWatcher watcher() {
        if (files == null) {
            files = new FileWatcher(FILE_POLL);
        }
        return files;
    }

    /** The failure of each start, in order, or null for one that started. */
    private static List<String> await(List<Future<Void>> starting) {
        List<String> failures = new ArrayList<>();
        for (Future<Void> f : starting) {
            try {
                f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                failures.add(null);
            } catch (ExecutionException e) {
                failures.add(e.getCause().getMessage());
            } catch (InterruptedException | TimeoutException e) {
                failures.add("start-up interrupted or timed out: " + e);
            }
        }
        return failures;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (devMode() && started) {
            handOver();
        } else {
            stopAll();
        }
    }

    /**
     * Dev mode's restart: leaves every end running for the next start ({@link DevModeHandover}); the process
     * exiting closes them with it.
     */
    private void handOver() {
        closeWatchers();
        String code = DevModeHandover.code();
        for (TunnelEnd end : ends) {
            Running r = running.remove(end);
            DevModeHandover.park(vertx, end.name(), new DevModeHandover.Parked(r.origin(), r.values(), code));
        }
        ends.clear();
        metrics.clear();
        health.clear();
    }

    private void closeWatchers() {
        if (reload != null) {
            reload.close();
            reload = null;
        }
        if (files != null) {
            files.close();
            files = null;
        }
    }

    private void stopAll() {
        closeWatchers();
        stop(List.copyOf(ends));
        metrics.clear();
        health.clear();
    }

    /** Whether every configured tunnel was started: server ends listen, agents dial. */
    public boolean started() {
        return started;
    }

    /** The tunnels as validated at start-up, or at the last reload that changed them. */
    public List<TunnelSpec> specs() {
        return specs;
    }

    /** The ends this process runs, servers and agents, in configuration order. */
    public List<TunnelEnd> ends() {
        return ends;
    }
}
