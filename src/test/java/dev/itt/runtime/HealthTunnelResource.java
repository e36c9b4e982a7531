package dev.itt.runtime;

import dev.itt.testing.Await;
import dev.itt.testing.Target;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Four tunnels on free loopback ports, for the health endpoints: server end {@code lonely} (no agent ever comes),
 * server end {@code relaxed} ({@code ready-requires-agent=false}, no agent), and server end {@code served} with
 * its agent {@code served-agent}, whose upstream is an echo {@link Target}. {@code served} drains for up to 30 s,
 * so that a test sees it draining for as long as it holds a stream open.
 */
public class HealthTunnelResource implements QuarkusTestResourceLifecycleManager {
    static int servedListenPort;
    private Target echo;

    @Override
    public Map<String, String> start() {
        try {
            echo = Target.tcp(Target.Mode.ECHO, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servedListenPort = Await.freePort();
        int servedTunnel = Await.freePort();
        Map<String, String> p = new HashMap<>();
        p.put("itt.tunnels.lonely.listen", "127.0.0.1:" + Await.freePort());
        p.put("itt.tunnels.lonely.tunnel", "127.0.0.1:" + Await.freePort());
        p.put("itt.tunnels.relaxed.listen", "127.0.0.1:" + Await.freePort());
        p.put("itt.tunnels.relaxed.tunnel", "127.0.0.1:" + Await.freePort());
        p.put("itt.tunnels.relaxed.ready-requires-agent", "false");
        p.put("itt.tunnels.served.listen", "127.0.0.1:" + servedListenPort);
        p.put("itt.tunnels.served.tunnel", "127.0.0.1:" + servedTunnel);
        p.put("itt.tunnels.served.drain-timeout", "30s");
        p.put("itt.tunnels.served-agent.name", "served");
        p.put("itt.tunnels.served-agent.downstream", "127.0.0.1:" + servedTunnel);
        p.put("itt.tunnels.served-agent.upstream", "127.0.0.1:" + echo.port());
        return p;
    }

    @Override
    public void stop() {
        if (echo != null) {
            try {
                echo.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
