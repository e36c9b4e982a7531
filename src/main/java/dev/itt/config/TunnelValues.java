package dev.itt.config;

import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tunnel's effective values, key by key, as the configuration resolves them (profile, environment, defaults):
 * two configurations that give a tunnel the same values run it the same way, so a reload leaves it alone.
 */
public final class TunnelValues {
    private TunnelValues() {}

    /** {@code itt.tunnels.NAME.}, with the name quoted when it has a dot. */
    static String prefix(String name) {
        return "itt.tunnels." + (name.contains(".") ? "\"" + name + "\"" : name) + ".";
    }

    /** Every key's values (a list key's items, a scalar as one item); a key not set is left out. */
    public static Map<String, List<String>> of(SmallRyeConfig config, String name) {
        String prefix = prefix(name);
        Map<String, List<String>> values = new TreeMap<>();
        for (String key : ConfigValidator.KEYS) {
            config.getOptionalValues(prefix + key, String.class).ifPresent(v -> values.put(key, List.copyOf(v)));
        }
        return values;
    }
}
