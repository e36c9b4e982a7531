package dev.itt.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.EnvConfigSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads {@code ITT_TUNNELS_<NAME>_<KEY>} variables by {@link TunnelVariable}'s rule, so that a tunnel named
 * {@code my-db} can come from variables alone (docs/CONFIGURATION.md §5). SmallRye's own reading of a variable
 * name is a guess by dots ({@code ITT_TUNNELS_MY_DB_LISTEN} becomes {@code itt.tunnels.my.db.listen}, which no
 * tunnel maps): this interceptor replaces those guesses under {@code itt.tunnels.} with the names the rule gives.
 * Values still come from the environment source, which matches {@code itt.tunnels.my-db.listen} to the variable
 * by itself; only the quoted form {@code ITT_TUNNELS__MY_DB__LISTEN} needs this class to find its value.
 *
 * <p>Registered with the ServiceLoader (META-INF/services), at SmallRye's default priority for applications, above
 * the profile interceptor: the names it sees are the active profile's.
 */
public final class TunnelEnvironment implements ConfigSourceInterceptor {
    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "itt.tunnels.";

    /** The {@code ITT_TUNNELS_*} variables, by name. */
    private final TreeMap<String, String> variables = new TreeMap<>();

    /** As the application runs it: the process environment. */
    public TunnelEnvironment() {
        this(System.getenv());
    }

    public TunnelEnvironment(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (name.startsWith(TunnelVariable.PREFIX)) {
                variables.put(name, value);
            }
        });
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> defined = new TreeSet<>();
        for (Iterator<String> it = context.iterateNames(); it.hasNext();) {
            String name = it.next();
            if (name.startsWith(PREFIX)) {
                if (variables.containsKey(TunnelVariable.envForm(name))) {
                    continue; // SmallRye's guess at one of the variables read below
                }
                defined.add(tunnel(name));
            }
            names.add(name);
        }
        for (TunnelVariable v : readable()) {
            names.add(v.property(defined));
        }
        return names.iterator();
    }

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!name.startsWith(PREFIX) || value != null && value.getConfigSourceOrdinal() >= EnvConfigSource.ORDINAL) {
            return value;
        }
        String tunnel = tunnel(name);
        int keyStart = PREFIX.length() + tunnel.length() + (name.charAt(PREFIX.length()) == '"' ? 3 : 1);
        if (keyStart >= name.length()) {
            return value;
        }
        String quotedVariable = TunnelVariable.envForm(PREFIX + quoted(tunnel) + "." + name.substring(keyStart));
        String env = variables.get(quotedVariable);
        if (env == null) {
            return value;
        }
        return ConfigValue.builder().withName(name).withValue(env).withRawValue(env)
                .withConfigSourceName(EnvConfigSource.NAME + " (" + quotedVariable + ")")
                .withConfigSourceOrdinal(EnvConfigSource.ORDINAL).build();
    }

    /** The variables with a key and a name: those the rule can read. The others are the validator's to report. */
    private List<TunnelVariable> readable() {
        List<TunnelVariable> readable = new ArrayList<>();
        for (String name : variables.keySet()) {
            TunnelVariable v = TunnelVariable.parse(name);
            if (v.key() != null && !v.name().isEmpty()) {
                readable.add(v);
            }
        }
        return readable;
    }

    private static String quoted(String tunnel) {
        return "\"" + tunnel + "\"";
    }

    /** The tunnel name of a property under {@code itt.tunnels.}, unquoted. */
    static String tunnel(String property) {
        int start = PREFIX.length();
        if (property.length() > start && property.charAt(start) == '"') {
            int close = property.indexOf('"', start + 1);
            return close < 0 ? property.substring(start + 1) : property.substring(start + 1, close);
        }
        int dot = property.indexOf('.', start);
        return dot < 0 ? property.substring(start) : property.substring(start, dot);
    }
}
