package dev.itt.runtime;

import dev.itt.testing.Await;
import dev.itt.testing.Target;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Two tunnels, both ends of each in the application, on free loopback ports: {@code m} (agent {@code m-agent},
 * token {@value #TOKEN}) reaches a {@link Target} that answers each connection, after its EOF, with the SHA-256
 * of what came and the bytes themselves; {@code r} (agent {@code r-agent}) has an upstream port nothing listens on,
 * so that every open is refused.
 */
public class MetricsTunnelResource implements QuarkusTestResourceLifecycleManager {
    static final String TOKEN = "metrics-test";
    static int mListenPort;
    static int mTunnelPort;
    static int rListenPort;
    static String upstream;
    private Target digest;

    @Override
    public Map<String, String> start() {
        try {
            digest = Target.tcp(Target.Mode.DIGEST_AFTER_EOF, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        upstream = digest.address();
        mListenPort = Await.freePort();
        mTunnelPort = Await.freePort();
        rListenPort = Await.freePort();
        int rTunnel = Await.freePort();
        Map<String, String> p = new HashMap<>();
        p.put("itt.tunnels.m.listen", "127.0.0.1:" + mListenPort);
        p.put("itt.tunnels.m.tunnel", "127.0.0.1:" + mTunnelPort);
        p.put("itt.tunnels.m.token", TOKEN);
        p.put("itt.tunnels.m-agent.name", "m");
        p.put("itt.tunnels.m-agent.token", TOKEN);
        p.put("itt.tunnels.m-agent.downstream", "127.0.0.1:" + mTunnelPort);
        p.put("itt.tunnels.m-agent.upstream", upstream);
        p.put("itt.tunnels.r.listen", "127.0.0.1:" + rListenPort);
        p.put("itt.tunnels.r.tunnel", "127.0.0.1:" + rTunnel);
        p.put("itt.tunnels.r-agent.name", "r");
        p.put("itt.tunnels.r-agent.downstream", "127.0.0.1:" + rTunnel);
        p.put("itt.tunnels.r-agent.upstream", "127.0.0.1:" + Await.freePort());
        return p;
    }

    @Override
    public void stop() {
        if (digest != null) {
            try {
                digest.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
