package dev.itt.floor;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Listens on 127.0.0.1:{@code -Dport} as soon as Quarkus has started, and then waits for SIGTERM: the time from
 * launch to that port is what the JVM and Quarkus cost before any application code runs.
 */
@QuarkusMain
public class Floor implements QuarkusApplication {
    @Override
    public int run(String... args) throws Exception {
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.getInteger("port")));
            Quarkus.waitForExit();
        }
        return 0;
    }
}
