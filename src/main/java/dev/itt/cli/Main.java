package dev.itt.cli;

import dev.itt.config.ConfigReport;
import dev.itt.config.TunnelSpec;
import dev.itt.runtime.TunnelManager;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.SmallRyeConfig;
import java.io.PrintWriter;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import sun.misc.Signal;

/**
 * Entry point. {@code itt server ...} and {@code itt client ...} become configuration of one tunnel (with the
 * HTTP server off, so a server and a client side by side never collide on a port); no subcommand runs the
 * configured tunnels. The tunnels themselves are started by the runtime layer on Quarkus' start-up event.
 */
@QuarkusMain
public final class Main {
    private Main() {}

    public static void main(String... args) {
        Cli.Launch launch = Cli.parse(args, new PrintWriter(System.out), new PrintWriter(System.err));
        if (launch.exitCode() != null) {
            System.exit(launch.exitCode());
        }
        launch.properties().forEach(System::setProperty);
        // Ctrl-C and SIGTERM are an ordinary stop: GO_AWAY, close, exit 0 (the JVM's default would be 130/143).
        // System.exit runs Quarkus' shutdown hook, which stops the application (ShutdownEvent) whatever state it is
        // in; Quarkus.asyncExit would do nothing once dev mode has stopped the application, leaving the JVM deaf.
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> System.exit(0));
        }
        Quarkus.run(launch.check() ? Check.class : Run.class, args);
    }

    /**
     * {@code itt check}: the start-up validated the configuration and opened nothing (an invalid one never gets
     * here: its problems are printed and the exit code is 1); print what would run.
     */
    public static final class Check implements QuarkusApplication {
        @Override
        public int run(String... args) {
            List<TunnelSpec> specs = Arc.container().instance(TunnelManager.class).get().specs();
            SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
            ConfigReport.lines(config, specs).forEach(System.out::println);
            System.out.flush();
            return 0;
        }
    }

    /** Runs until Ctrl-C or SIGTERM; shutdown sends GO_AWAY and closes every tunnel. */
    public static final class Run implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
