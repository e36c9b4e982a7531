package dev.itt.cli;

import dev.itt.config.Tokens;
import java.nio.file.Path;
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

    @Option(names = {"-token-file", "--token-file"}, paramLabel = "PATH",
            description = "file of tokens, one per line, instead of -token: a server accepts any, a client proves the"
                    + " first; re-read when it changes. Default: none")
    String tokenFile;

    @Option(names = {"-protocol", "--protocol"}, paramLabel = "PROTO",
            description = "wire protocol: native, or legacy to talk to the Go server/client programs (no token,"
                    + " no flow control between streams, no half-close). Default: the tunnel's protocol key, native")
    String protocol;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    void addTo(Map<String, String> props) {
        if (protocol != null) { // unset, the configuration's default (or ITT_TUNNELS_ITT_PROTOCOL) applies
            if (!protocol.equals("native") && !protocol.equals("legacy")) {
                throw new IllegalArgumentException(
                        "-protocol: '" + protocol + "' is not a protocol; use native or legacy");
            }
            props.put(Cli.TUNNEL_PREFIX + "protocol", protocol);
        }
        if (token != null && !token.isEmpty()) {
            if (tokenFile != null) {
                throw new IllegalArgumentException("-token and -token-file: give one or the other");
            }
            props.put(Cli.TUNNEL_PREFIX + "token", token);
        }
        if (tokenFile != null) {
            Cli.check("-token-file", tokenFile, f -> Tokens.read(Path.of(f), Tokens.MAX_TOKENS));
            props.put(Cli.TUNNEL_PREFIX + "token-file", tokenFile);
        }
        props.put("quarkus.log.category.\"dev.itt\".level", logLevel.quarkusLevel);
        if (logLevel.quieterThanInfo()) {
            props.put("quarkus.log.level", logLevel.quarkusLevel);
        }
    }
}
