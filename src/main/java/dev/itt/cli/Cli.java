package dev.itt.cli;

import dev.itt.runtime.TunnelManager;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Parses the command line before Quarkus starts and turns the flags into configuration properties of one tunnel
 * named {@value #TUNNEL}; it does nothing else. Help and bad flags end here, without starting Quarkus.
 */
public final class Cli {
    /** The tunnel a command-line server or client runs; both use the same name, so their handshakes agree. */
    static final String TUNNEL = "itt";
    static final String TUNNEL_PREFIX = "itt.tunnels." + TUNNEL + ".";

    /** A subcommand: its flags as properties. */
    interface Subcommand {
        void addTo(Map<String, String> props);
    }

    @Command(name = "itt", sortOptions = false, subcommands = {ServerCommand.class, ClientCommand.class, TokenCommand.class,
            CheckCommand.class}, versionProvider = Version.class,
            description = "Inverse TCP tunnel. Without a subcommand, runs the tunnels configured as"
                    + " itt.tunnels.NAME.* (application.properties or ITT_TUNNELS_NAME_KEY variables).")
    static final class Root {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Option(names = {"-V", "--version"}, versionHelp = true, description = "print the version and commit and exit")
        boolean version;
    }

    /**
     * What to do after parsing: exit with a code, or start Quarkus with these properties.
     *
     * @param check whether to check the configuration only ({@code itt check})
     */
    public record Launch(Integer exitCode, Map<String, String> properties, boolean check) {
        Launch(Integer exitCode) {
            this(exitCode, Map.of(), false);
        }
    }

    private Cli() {}

    public static Launch parse(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Root());
        cl.setOut(out);
        cl.setErr(err);
        try {
            ParseResult result = cl.parseArgs(args);
            List<CommandLine> parsed = result.asCommandLineList();
            CommandLine last = parsed.get(parsed.size() - 1);
            if (CommandLine.printHelpIfRequested(result)) {
                return new Launch(0);
            }
            if (last.getCommand() instanceof TokenCommand token) {
                token.print(out);
                return new Launch(0);
            }
            boolean check = parsed.stream().anyMatch(c -> c.getCommand() instanceof CheckCommand);
            Map<String, String> props = new LinkedHashMap<>();
            if (last.getCommand() instanceof Subcommand sub) {
                try {
                    sub.addTo(props);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(last, e.getMessage());
                }
                List<String> problems = FlagProblems.of(props);
                if (!problems.isEmpty()) {
                    throw new ParameterException(last, String.join("\n     ", problems));
                }
            }
            if (check) {
                props.put(TunnelManager.CHECK_ONLY, "true");
            }
            if (check || last.getCommand() instanceof Subcommand) {
                props.put("quarkus.http.host-enabled", "false");
                // no HTTP server: Quarkus' own lines (started, "Listening on: " with nothing after it, stopped)
                // would tell a command-line user nothing true; ITT logs what it listens on itself
                props.put("quarkus.log.category.\"io.quarkus\".level", "WARN");
            }
            return new Launch(null, props, check);
        } catch (ParameterException e) {
            err.println("itt: " + e.getMessage());
            e.getCommandLine().usage(err);
            err.flush();
            return new Launch(2);
        } finally {
            out.flush();
        }
    }

    /** Sets the tunnel key {@code key} when the flag was given; unset, the configuration's value applies. */
    static void putIfSet(Map<String, String> props, String key, String value) {
        if (value != null) {
            props.put(TUNNEL_PREFIX + key, value);
        }
    }

    static void check(String flag, String value, Function<String, ?> parser) {
        try {
            parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
