package dev.itt.cli;

import dev.itt.config.DialTarget;
import dev.itt.config.ProxyUrl;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code itt client}: the seed's client program (the agent). */
@Command(name = "client", sortOptions = false,
        description = "The agent: dial the server's -downstream tunnel address and, for every user it"
                + " forwards, open a connection to -upstream.")
final class ClientCommand implements Cli.Subcommand {
    @Option(names = {"-downstream", "--downstream"}, required = true, paramLabel = "ADDR",
            description = "the server's tunnel address: host:port, [v6]:port, unix:/path; prefix proxy: to dial"
                    + " it through -proxy")
    String downstream;

    @Option(names = {"-upstream", "--upstream"}, required = true, paramLabel = "ADDR",
            description = "the service to reach: host:port, [v6]:port, unix:/path; prefix proxy: to dial it"
                    + " through -proxy")
    String upstream;

    @Option(names = {"-proxy", "--proxy"}, paramLabel = "URL",
            description = "socks5://[user:pass@]host:port (names resolved here), socks5h://... (resolved by the"
                    + " proxy) or http://[user:pass@]host:port (CONNECT); used only for proxy: targets")
    String proxy;

    @Option(names = {"-tls", "--tls"}, description = "TLS to the server end (implied by every other -tls-* flag)")
    boolean tls;

    @Option(names = {"-tls-trust", "--tls-trust"}, paramLabel = "FILE",
            description = "PEM CA bundle trusted for the server's certificate. Default: the JVM's trust store")
    String tlsTrust;

    @Option(names = {"-tls-cert", "--tls-cert"}, paramLabel = "FILE",
            description = "PEM client certificate, for a server that requires one (with -tls-key)")
    String tlsCert;

    @Option(names = {"-tls-key", "--tls-key"}, paramLabel = "FILE", description = "PEM private key of -tls-cert")
    String tlsKey;

    @Option(names = {"-tls-server-name", "--tls-server-name"}, paramLabel = "NAME",
            description = "the name the server's certificate must carry, also sent as SNI. Default: the -downstream"
                    + " host")
    String tlsServerName;

    @Mixin
    CommonOptions common;

    @Override
    public void addTo(Map<String, String> props) {
        Cli.check("-downstream", downstream, DialTarget::parse);
        Cli.check("-upstream", upstream, DialTarget::parse);
        props.put(Cli.TUNNEL_PREFIX + "downstream", downstream);
        props.put(Cli.TUNNEL_PREFIX + "upstream", upstream);
        if (proxy != null) {
            Cli.check("-proxy", proxy, ProxyUrl::parse);
            props.put(Cli.TUNNEL_PREFIX + "proxy", proxy);
        }
        if (tls) {
            props.put(Cli.TUNNEL_PREFIX + "tls.enabled", "true");
        }
        Cli.putIfSet(props, "tls.trust", tlsTrust);
        Cli.putIfSet(props, "tls.cert", tlsCert);
        Cli.putIfSet(props, "tls.key", tlsKey);
        Cli.putIfSet(props, "tls.server-name", tlsServerName);
        common.addTo(props);
    }
}
