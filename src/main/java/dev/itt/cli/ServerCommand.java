package dev.itt.cli;

import dev.itt.config.Endpoint;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code itt server}: the seed's server program. */
@Command(name = "server", sortOptions = false,
        description = "Server end: accept users on -listen and agents on -tunnel; every user connection becomes a"
                + " stream to a connected agent.")
final class ServerCommand implements Cli.Subcommand {
    @Option(names = {"-listen", "--listen"}, required = true, paramLabel = "ADDR",
            description = "where users connect: host:port, [v6]:port or unix:/path")
    String listen;

    @Option(names = {"-tunnel", "--tunnel"}, required = true, paramLabel = "ADDR",
            description = "where agents (itt client) connect: host:port, [v6]:port or unix:/path")
    String tunnel;

    @Mixin
    CommonOptions common;

    @Override
    public void addTo(Map<String, String> props) {
        Cli.check("-listen", listen, Endpoint::parse);
        Cli.check("-tunnel", tunnel, Endpoint::parse);
        props.put(Cli.TUNNEL_PREFIX + "listen", listen);
        props.put(Cli.TUNNEL_PREFIX + "tunnel", tunnel);
        common.addTo(props);
    }
}
