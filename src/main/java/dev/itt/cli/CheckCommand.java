package dev.itt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code itt check [server|client FLAGS]}: validates the configuration the same command would run with, prints the
 * resolved tunnels and exits, opening nothing.
 */
@Command(name = "check", sortOptions = false, subcommands = {ServerCommand.class, ClientCommand.class},
        description = "Check the configuration (application.properties, ITT_TUNNELS_* variables, and the flags of"
                + " 'server' or 'client' when given after check) without opening any socket: print every tunnel"
                + " with its role, addresses and the effective value of each key (tokens masked), exit 0; or list"
                + " every problem and exit 1.")
final class CheckCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;
}
