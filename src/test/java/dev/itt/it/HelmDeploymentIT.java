package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.Await;
import dev.itt.testing.HelmChart;
import dev.itt.testing.HelmChart.Manifests;
import dev.itt.testing.IttProcess;
import dev.itt.testing.Peers;
import dev.itt.testing.RenderedPod;
import dev.itt.testing.Target;
import dev.itt.testing.TestPki;
import dev.itt.testing.Users;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's pods run without a cluster: the packaged app started exactly as each rendered Deployment says (its
 * environment, arguments, working directory, the ConfigMap as config/application.properties and the Secrets'
 * files where the mounts put them; {@link RenderedPod} says what is mapped to this machine), with traffic through
 * them. A server end and an agent from the README's examples, over TLS with the generated token; both ends in one
 * release, checked by the command line of the chart's own {@code helm test} pod, then upgraded with more tunnels,
 * which the running app takes from the updated ConfigMap.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HelmDeploymentIT {
    private static final Duration START = Duration.ofSeconds(30);

    @Test
    void aServerEndAndAnAgentBesideADockerSocketCarryBytesOverTlsWithTheGeneratedToken(@TempDir Path dir)
            throws Exception {
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        TestPki.Ca ca = pki.ca("itt-ca");
        TestPki.Issued cert = pki.issue(ca, "itt-server", "DNS:localhost");
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        Manifests server = HelmChart.template("edge", Map.of("tunnels.docker.listen", "0.0.0.0:" + listen,
                "tunnels.docker.tunnel", "0.0.0.0:" + tunnel), "examples/server.yaml", "tls: {existingSecret: edge-tls}");
        // the agent's downstream is the server end's tunnel Service; here its port on this machine
        Manifests agent = HelmChart.template("docker", Map.of("tunnels.docker.downstream", "localhost:" + tunnel),
                "examples/agent-docker.yaml", "tls: {existingSecret: server-ca}");
        String token = server.secret("edge-itt-token", "token");
        RenderedPod serverPod = new RenderedPod(server, dir.resolve("server-pod"), Await.freePort())
                .withSecret("edge-tls", Map.of("tls.crt", Files.readString(cert.cert()), "tls.key",
                        Files.readString(cert.key()), "ca.crt", Files.readString(ca.cert())));
        // the daemon's socket: an echo service on a Unix socket where the hostPath volume points
        try (Target daemon = Target.unix(dir.resolve("docker.sock"), Target.Mode.ECHO, 0)) {
            RenderedPod agentPod = new RenderedPod(agent, dir.resolve("agent-pod"), Await.freePort())
                    .withSecret("itt-token", Map.of("token", token))
                    .withSecret("server-ca", Map.of("ca.crt", Files.readString(ca.cert())))
                    .withHostPath("/var/run/docker.sock", dir.resolve("docker.sock"));
            try (IttProcess s = serverPod.start(dir.resolve("server.log"));
                    IttProcess a = agentPod.start(dir.resolve("agent.log"))) {
                awaitReady(agentPod, agent, a); // an agent is ready with its session, then so is its server end
                awaitReady(serverPod, server, s);
                int usersPort = server.get(Service.class, "edge-itt").getSpec().getPorts().get(0).getTargetPort()
                        .getIntVal();
                try (Socket user = Users.connect(usersPort)) {
                    user.getOutputStream().write("docker ps".getBytes(StandardCharsets.UTF_8));
                    user.shutdownOutput();
                    assertEquals("docker ps", new String(Users.readAll(user.getInputStream()), StandardCharsets.UTF_8));
                }
                assertEquals(1, daemon.accepted(), "the agent dialed the socket the hostPath mount names");
                assertTrue(s.log().matches("(?s).*for agents on \\S*:" + tunnel + " \\(TLS\\).*"), s.log());
                for (IttProcess p : List.of(s, a)) {
                    assertFalse(p.log().contains(token), "the token in a log:\n" + p.log());
                }
            }
        }
    }

    @Test
    void bothEndsInOneReleasePassTheHelmTestPodsCommandAndTakeAnUpgradeWithoutARestart(@TempDir Path dir) throws Exception {
        int listen = Await.freePort();
        int tunnel = Await.freePort();
        int http = Await.freePort();
        // the agent's upstream is the pod's own HTTP port 8080, which is port http on this machine
        Manifests both = HelmChart.templateWithTestPod("demo", Map.of("tunnels.web.listen", "0.0.0.0:" + listen,
                "tunnels.web.tunnel", "127.0.0.1:" + tunnel, "tunnels.web-agent.downstream", "127.0.0.1:" + tunnel,
                "tunnels.web-agent.upstream", "127.0.0.1:" + http), "examples/both.yaml");
        RenderedPod pod = new RenderedPod(both, dir.resolve("pod"), http);
        String token = both.secret("demo-itt-token", "token");
        try (IttProcess p = pod.start(dir.resolve("both.log"))) {
            awaitReady(pod, both, p);
            Container test = both.all(Pod.class).get(0).getSpec().getContainers().get(0);
            assertEquals("404", helmTest(dir, test, listen), "the app's own HTTP port answered through the tunnel");

            // helm upgrade with one more pair of tunnels that publishes no port (a Unix socket for users, the
            // tunnel on loopback): the pod template stays the same, so the pod stays and the app applies the new
            // ConfigMap itself. (An upgrade keeps the token by lookup; a render here cannot look up, so it is given
            // the same token.)
            int moreTunnel = Await.freePort();
            Map<String, Object> set = new java.util.HashMap<>(Map.of("tunnels.web.listen", "0.0.0.0:" + listen,
                    "tunnels.web.tunnel", "127.0.0.1:" + tunnel, "tunnels.web-agent.downstream", "127.0.0.1:" + tunnel,
                    "tunnels.web-agent.upstream", "127.0.0.1:" + http, "token.value", token));
            set.putAll(Map.of("tunnels.more.listen", "unix:/var/run/itt/more.sock",
                    "tunnels.more.tunnel", "127.0.0.1:" + moreTunnel, "tunnels.more-agent.name", "more",
                    "tunnels.more-agent.downstream", "127.0.0.1:" + moreTunnel,
                    "tunnels.more-agent.upstream", "127.0.0.1:" + http));
            pod.upgrade(HelmChart.templateWithTestPod("demo", set, "examples/both.yaml"));
            p.awaitLog("configuration changed: added more, more-agent", START);
            String curl = Peers.require("curl", "curl");
            String socket = pod.path("/var/run/itt/more.sock").toString();
            Await.until("the added tunnel to answer", START, () -> {
                try {
                    return Peers.run(dir, curl, "-sS", "--unix-socket", socket, "-o", "/dev/null", "-w",
                            "%{http_code}", "http://demo/q/health/live").equals("200");
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            assertEquals("404", helmTest(dir, test, listen), "the first tunnel serves on");
            assertEquals(1, p.count("started in"), "one start: the upgrade restarted nothing");
            assertFalse(p.log().contains(token), p.log());
        }
    }

    /** The chart's helm test pod's curl, its Service name resolved to this machine, at {@code port}. */
    private static String helmTest(Path dir, Container test, int port) throws Exception {
        List<String> curl = new ArrayList<>(List.of(Peers.require("curl", "curl"), "--resolve",
                "demo-itt:" + port + ":127.0.0.1"));
        List<String> args = new ArrayList<>(test.getArgs());
        String url = args.remove(args.size() - 1);
        assertTrue(url.matches("http://demo-itt:\\d+/"), url);
        curl.addAll(args);
        curl.add(url.replaceFirst(":\\d+/", ":" + port + "/"));
        return Peers.run(dir, curl.toArray(String[]::new)).trim();
    }

    /** Startup, readiness and liveness probes as the Deployment has them, answered 200 in that order. */
    private static void awaitReady(RenderedPod pod, Manifests m, IttProcess p) {
        Container c = m.container();
        try {
            Await.until("the startup probe", START, () -> alive(p) && pod.probe(c.getStartupProbe()) == 200);
            Await.until("the readiness probe", START, () -> alive(p) && pod.probe(c.getReadinessProbe()) == 200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- log ---\n" + p.log(), e);
        }
        assertEquals(200, pod.probe(c.getLivenessProbe()), p.log());
    }

    private static boolean alive(IttProcess p) {
        if (!p.isAlive()) {
            throw new AssertionError("the pod's process exited:\n" + p.log());
        }
        return true;
    }
}
