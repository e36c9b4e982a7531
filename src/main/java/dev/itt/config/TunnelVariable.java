package dev.itt.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/**
 * How an environment variable {@code ITT_TUNNELS_<NAME>_<KEY>} names a tunnel and a key (docs/CONFIGURATION.md §5):
 * the key is matched from the right against the mapping's keys, the longest that fits; what is left is the name.
 * The one place this rule lives: {@link TunnelEnvironment} applies it to the configuration, {@link ConfigValidator}
 * reports the variables it cannot read.
 *
 * @param variable the variable, as set
 * @param name the name part in the variable's form ({@code MY_DB}); empty when the variable has none
 * @param key the key ({@code tls.client-ca}), or null when no key fits
 */
public record TunnelVariable(String variable, String name, String key) {
    public static final String PREFIX = "ITT_TUNNELS_";

    /** @return the variable read by the rule, or null when it does not start with {@value #PREFIX} */
    public static TunnelVariable parse(String variable) {
        if (!variable.startsWith(PREFIX)) {
            return null;
        }
        String rest = variable.substring(PREFIX.length());
        String key = ConfigValidator.KEYS.stream()
                .filter(k -> rest.endsWith("_" + envForm(k)))
                .max(Comparator.comparingInt(String::length)).orElse(null);
        if (key == null) {
            return new TunnelVariable(variable, rest, null);
        }
        String name = rest.substring(0, rest.length() - envForm(key).length() - 1);
        // the quoted form, itt.tunnels."my-db".listen = ITT_TUNNELS__MY_DB__LISTEN: the quotes became '_'
        if (name.length() > 2 && name.startsWith("_") && name.endsWith("_")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.chars().allMatch(c -> c == '_')) {
            name = ""; // ITT_TUNNELS__LISTEN: no name at all
        }
        return new TunnelVariable(variable, name, key);
    }

    /**
     * The tunnel this variable sets: one of {@code defined} (tunnels named in other sources, such as
     * {@code docker_agent} in application.properties) whose variable form is this name, else the name in lower case
     * with each {@code _} read as {@code -}.
     */
    public String tunnel(Collection<String> defined) {
        return defined.stream().filter(t -> envForm(t).equals(name)).sorted().findFirst()
                .orElseGet(() -> name.toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** The property this variable sets, with the tunnel name quoted when it contains a dot. */
    public String property(Collection<String> defined) {
        String tunnel = tunnel(defined);
        return "itt.tunnels." + (tunnel.contains(".") ? "\"" + tunnel + "\"" : tunnel) + "." + key;
    }

    /** Upper case, every character other than a letter or digit written as {@code _}: how a variable spells it. */
    public static String envForm(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
