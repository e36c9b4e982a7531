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
        common.addTo(props);
    }
}
