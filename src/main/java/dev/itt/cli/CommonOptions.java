package dev.itt.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** Flags both seed programs share. */
final class CommonOptions {
    @Option(names = {"-loglevel", "--loglevel"}, paramLabel = "LEVEL", defaultValue = "info",
            converter = LogLevelConverter.class,
            description = "log level: fatal, error, warning, warn, info (one line per connection), debug, trace"
                    + " (hex dump of all traffic). Default: ${DEFAULT-VALUE}")
    LogLevel logLevel;

    @Option(names = {"-token", "--token"}, paramLabel = "TOKEN",
            description = "shared secret both ends must hold (challenge-response; never sent). Default: none")
    String token;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    void addTo(Map<String, String> props) {
        if (token != null && !token.isEmpty()) {
            props.put(Cli.TUNNEL_PREFIX + "token", token);
        }
        props.put("quarkus.log.category.\"dev.itt\".level", logLevel.quarkusLevel);
        if (logLevel.quieterThanInfo()) {
            props.put("quarkus.log.level", logLevel.quarkusLevel);
        }
    }
}
