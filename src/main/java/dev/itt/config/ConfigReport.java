package dev.itt.config;

import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code itt check} prints: each validated tunnel with its role, its addresses and every key's effective value
 * and where it came from. Secrets never show: a token is printed as set or not, a token file by its path only (its
 * contents are never read here), a proxy URL with its password masked.
 */
public final class ConfigReport {
    static final String MASK = "****";

    private ConfigReport() {}

    public static List<String> lines(SmallRyeConfig config, List<TunnelSpec> specs) {
        List<String> lines = new ArrayList<>();
        lines.add(specs.size() + (specs.size() == 1 ? " tunnel" : " tunnels") + ", configuration valid");
        for (TunnelSpec spec : specs) {
            lines.add("");
            lines.add("tunnel " + spec.name() + ": " + role(spec));
            String prefix = TunnelValues.prefix(spec.name());
            int width = ConfigValidator.KEYS.stream().mapToInt(String::length).max().orElse(0);
            for (String key : ConfigValidator.KEYS) {
                ConfigValue v = config.getConfigValue(prefix + key);
                String shown = v.getValue() == null ? "(not set)"
                        : shown(key, v.getValue()) + "  [" + source(v) + "]";
                lines.add("  " + key + " ".repeat(width - key.length()) + " = " + shown);
            }
        }
        return lines;
    }

    private static String role(TunnelSpec spec) {
        if (spec instanceof TunnelSpec.Server s) {
            return "server end, users connect to " + s.listen() + ", agents to " + s.tunnel()
                    + (s.tls() != null ? " (TLS)" : "");
        }
        TunnelSpec.Agent a = (TunnelSpec.Agent) spec;
        return "agent, dials the server end at " + a.downstream() + (a.tls() != null ? " (TLS)" : "")
                + " and opens " + a.upstream() + " for each user"
                + (a.proxy() == null ? "" : ", proxy " + a.proxy());
    }

    private static String shown(String key, String value) {
        return switch (key) {
            case "token" -> value.isEmpty() ? "(empty)" : MASK;
            case "proxy" -> ProxyUrl.redact(value);
            default -> value;
        };
    }

    /** Where a value came from, in an operator's words. */
    private static String source(ConfigValue v) {
        String source = v.getConfigSourceName() == null ? "" : v.getConfigSourceName();
        if (source.startsWith("DefaultValuesConfigSource")) {
            return "default";
        }
        if (source.startsWith("EnvConfigSource")) {
            return "environment";
        }
        if (source.startsWith("SysPropConfigSource")) {
            return "command line or system property";
        }
        int start = source.indexOf("[source=");
        return start < 0 ? source : source.substring(start + "[source=".length(), source.length() - 1);
    }
}
