package dev.itt.cli;

import dev.itt.config.ConfigValidator;
import dev.itt.config.IttConfig;
import dev.itt.config.StandaloneConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration problems of the tunnel the flags alone make, worded with the flags: a usage error names
 * {@code -token}, never the property {@code itt.tunnels.itt.token} the flag became. What the flags cannot see
 * (variables and properties that also set the tunnel) is checked at start-up as usual.
 */
final class FlagProblems {
    private static final Pattern KEY = Pattern.compile(Pattern.quote(Cli.TUNNEL_PREFIX) + "([a-z][a-z.-]*[a-z])");

    private FlagProblems() {}

    static List<String> of(Map<String, String> props) {
        Map<String, String> flags = new java.util.TreeMap<>(props);
        flags.keySet().removeIf(k -> !k.startsWith(Cli.TUNNEL_PREFIX));
        List<String> problems = ConfigValidator.problems(StandaloneConfig.of(flags, Map.of())
                .getConfigMapping(IttConfig.class).tunnels());
        return problems.stream().map(FlagProblems::worded).toList();
    }

    /** Each property of the tunnel named as the flag that sets it: {@code tls.client-ca} is {@code -tls-client-ca}. */
    static String worded(String problem) {
        Matcher m = KEY.matcher(problem);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            m.appendReplacement(sb, Matcher.quoteReplacement(key.equals("tls.enabled") ? "-tls"
                    : "-" + key.replace('.', '-')));
        }
        return m.appendTail(sb).toString();
    }
}
