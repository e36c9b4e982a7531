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

    @Option(names = {"-tls-cert", "--tls-cert"}, paramLabel = "FILE",
            description = "PEM certificate chain: turns TLS on for -tunnel (with -tls-key)")
    String tlsCert;

    @Option(names = {"-tls-key", "--tls-key"}, paramLabel = "FILE", description = "PEM private key of -tls-cert")
    String tlsKey;

    @Option(names = {"-tls-client-ca", "--tls-client-ca"}, paramLabel = "FILE",
            description = "PEM CA bundle: every agent must present a certificate signed by one of these (mTLS)")
    String tlsClientCa;

    @Mixin
    CommonOptions common;

    @Override
    public void addTo(Map<String, String> props) {
        Cli.check("-listen", listen, Endpoint::parse);
        Cli.check("-tunnel", tunnel, Endpoint::parse);
        props.put(Cli.TUNNEL_PREFIX + "listen", listen);
        props.put(Cli.TUNNEL_PREFIX + "tunnel", tunnel);
        Cli.putIfSet(props, "tls.cert", tlsCert);
        Cli.putIfSet(props, "tls.key", tlsKey);
        Cli.putIfSet(props, "tls.client-ca", tlsClientCa);
        common.addTo(props);
    }
}
