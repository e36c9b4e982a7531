package dev.itt.config;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.smallrye.config.ConfigMapping;
import java.util.Map;

/** Root of the configuration: {@code itt.tunnels.NAME.*} (docs/CONFIGURATION.md). */
@ConfigMapping(prefix = "itt")
public interface IttConfig {
    /** The tunnels this process runs, by name; each is a server end or an agent. */
    @ConfigDocMapKey("tunnel-name")
    Map<String, TunnelConfig> tunnels();
}
