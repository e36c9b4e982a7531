package dev.itt.cli;

import dev.itt.config.Tokens;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code itt token}: prints a new random token and exits; nothing starts. */
@Command(name = "token", sortOptions = false,
        description = "Print a new random token (256 bits from a secure random source, URL-safe base64) for -token,"
                + " a token file or itt.tunnels.NAME.token, and exit.")
final class TokenCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    void print(PrintWriter out) {
        out.println(Tokens.generate());
    }
}
