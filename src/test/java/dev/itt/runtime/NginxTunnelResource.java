package dev.itt.runtime;

import dev.itt.testing.Await;
import dev.itt.testing.Nginx;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Starts nginx with a 10 MB file before the application, and configures a server-end tunnel {@code web} and an
 * agent tunnel {@code web-agent} (handshake name {@code web}) that reaches nginx, on free loopback ports.
 */
public class NginxTunnelResource implements QuarkusTestResourceLifecycleManager {
    static Path www;
    static int listenPort;
    private Nginx nginx;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("itt-quarkus-test");
            www = dir.resolve("www");
            Files.createDirectories(www);
            byte[] data = new byte[10 * 1024 * 1024];
            new Random(10).nextBytes(data);
            Files.write(www.resolve("big.bin"), data);
            nginx = Nginx.serve(dir.resolve("nginx"), www);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        listenPort = Await.freePort();
        int tunnelPort = Await.freePort();
        return Map.of(
                "itt.tunnels.web.listen", "127.0.0.1:" + listenPort,
                "itt.tunnels.web.tunnel", "127.0.0.1:" + tunnelPort,
                "itt.tunnels.web.token", "quarkus-test",
                "itt.tunnels.web-agent.name", "web",
                "itt.tunnels.web-agent.token", "quarkus-test",
                "itt.tunnels.web-agent.downstream", "127.0.0.1:" + tunnelPort,
                "itt.tunnels.web-agent.upstream", "127.0.0.1:" + nginx.port());
    }

    @Override
    public void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }
}
