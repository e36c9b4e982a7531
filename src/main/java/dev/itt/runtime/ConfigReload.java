package dev.itt.runtime;

import dev.itt.config.ConfigException;
import dev.itt.config.ConfigFiles;
import dev.itt.config.ConfigValidator;
import dev.itt.config.FileWatcher;
import dev.itt.config.IttConfig;
import dev.itt.config.TunnelSpec;
import dev.itt.config.TunnelValues;
import dev.itt.end.TunnelEnd;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.SmallRyeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Live reload: polls the configuration files ({@link ConfigFiles}) and, when what they hold changes, reads the
 * configuration again and applies the difference. A tunnel whose values are all the same is not touched, nor are
 * its streams; a removed tunnel is stopped (its streams drain as on shutdown); a changed one is stopped and started
 * with its new values; a new one is started. An edit with any problem is reported, every problem at once, and
 * changes nothing. Runs on its own thread, which may wait for a drain, so token and TLS files keep being polled.
 */
final class ConfigReload implements FileWatcher.Watched, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReload.class);
    /** How long the files must stay the same before a change is read. */
    static final java.time.Duration SETTLE = java.time.Duration.ofMillis(200);

    private final TunnelManager tunnels;
    private final ConfigFiles files;
    private final Map<String, String> env;
    private final FileWatcher thread;
    /** What the files held when last read; null before the first poll, which always reads them. */
    private String fingerprint;
    /**
     * Each configured tunnel's values as of the last configuration applied: at first the configuration the
     * tunnels were started from, so that an edit made while they started is found by the first poll.
     */
    private Map<String, Map<String, List<String>>> values;

    private ConfigReload(TunnelManager tunnels, ConfigFiles files, SmallRyeConfig live, Map<String, String> env) {
        this.tunnels = tunnels;
        this.files = files;
        this.env = env;
        this.values = values(live);
        this.thread = new FileWatcher(TunnelManager.FILE_POLL, "itt-config-reload");
        thread.watch(this);
    }

    /** Starts watching the files the running application was configured from. */
    static ConfigReload watch(TunnelManager tunnels) {
        SmallRyeConfig live = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        ConfigFiles files = ConfigFiles.of(live, Path.of(""), LaunchMode.current() == LaunchMode.DEVELOPMENT);
        LOG.debugf("watching %s for configuration changes", files.paths());
        return new ConfigReload(tunnels, files, live, System.getenv());
    }

    private Map<String, Map<String, List<String>>> values(SmallRyeConfig config) {
        Map<String, Map<String, List<String>>> byTunnel = new LinkedHashMap<>();
        for (String name : config.getConfigMapping(IttConfig.class).tunnels().keySet()) {
            byTunnel.put(name, TunnelValues.of(config, name));
        }
        return byTunnel;
    }

    @Override
    public boolean poll() {
        String now = files.fingerprint();
        if (now.equals(fingerprint)) {
            return false;
        }
        now = settled(now);
        if (now == null) {
            return false; // closing
        }
        boolean first = fingerprint == null;
        fingerprint = now;
        SmallRyeConfig config;
        List<TunnelSpec> specs;
        try {
            config = files.read(env);
            specs = ConfigValidator.validate(config.getConfigMapping(IttConfig.class).tunnels(), env);
            TunnelManager.requireTunnels(specs);
        } catch (ConfigException e) {
            LOG.errorf("configuration change not applied, the tunnels run as before: %s", e.getMessage());
            return false;
        }
        apply(values(config), specs, first);
        return true;
    }

    /**
     * What the files hold once two reads {@link #SETTLE} apart agree, so that a file being written (an editor that
     * truncates it first, a copy in progress) is not taken half way; null if the thread is stopped meanwhile.
     */
    private String settled(String now) {
        for (int i = 0; i < 10; i++) {
            try {
                Thread.sleep(SETTLE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            String again = files.fingerprint();
            if (again.equals(now)) {
                break;
            }
            now = again;
        }
        return now;
    }

    private void apply(Map<String, Map<String, List<String>>> next, List<TunnelSpec> specs, boolean first) {
        Map<String, TunnelEnd> running = tunnels.byName();
        List<TunnelEnd> stopping = new ArrayList<>();
        List<TunnelSpec> starting = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!next.containsKey(name) && running.containsKey(name)) {
                removed.add(name);
                stopping.add(running.get(name));
            }
        }
        for (TunnelSpec spec : specs) {
            String name = spec.name();
            if (!running.containsKey(name)) {
                added.add(name);
                starting.add(spec);
            } else if (!next.get(name).equals(values.get(name))) {
                changed.add(name);
                stopping.add(running.get(name));
                starting.add(spec);
            }
        }
        values = next;
        if (stopping.isEmpty() && starting.isEmpty()) {
            if (!first) {
                LOG.infof("configuration changed, no tunnel changed (%s)", files.paths());
            }
            return;
        }
        LOG.infof("configuration changed: %s", summary(added, changed, removed));
        tunnels.stop(stopping);
        List<String> failures = tunnels.start(starting, next::get);
        tunnels.replaceSpecs(specs);
        if (!failures.isEmpty()) {
            LOG.errorf("after the configuration change, %d tunnels did not start:%n  - %s", failures.size(),
                    String.join("\n  - ", failures));
        }
    }

    private static String summary(List<String> added, List<String> changed, List<String> removed) {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        parts.put("added", added);
        parts.put("changed", changed);
        parts.put("removed", removed);
        return parts.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(e -> e.getKey() + " " + e.getValue().stream().sorted().collect(Collectors.joining(", "))).collect(Collectors.joining("; "));
    }

    @Override
    public String files() {
        return files.paths().toString();
    }

    @Override
    public void close() {
        thread.close();
    }
}
