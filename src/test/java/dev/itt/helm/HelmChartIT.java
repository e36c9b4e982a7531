package dev.itt.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import dev.itt.testing.HelmChart;
import dev.itt.testing.HelmChart.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The chart helm/itt linted and rendered by the real Helm engine for the value sets a user has (the examples of its
 * README, both ends in one release, an agent without a token), asserted on as Kubernetes objects: ports, Services,
 * probes, mounts, the security context, Secret references. TLS, Secrets and the other knobs: {@code HelmValuesIT};
 * the schema: {@code HelmSchemaIT}; that the rendered pod really runs: {@code HelmDeploymentIT}.
 */
class HelmChartIT {
    static final String SECRETS = "/var/run/secrets/itt";

    @Test
    void theChartPassesStrictLint() {
        LintResult lint = HelmChart.lintStrict();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void aServerEndPublishesItsListenAndTunnelPortsAndTakesAGeneratedTokenFromASecret() throws Exception {
        Manifests m = HelmChart.templateWithTestPod("itt", Map.of(), "examples/server.yaml");
        assertEquals(props("itt.tunnels.docker.listen", "0.0.0.0:2375", "itt.tunnels.docker.tunnel", "0.0.0.0:7000",
                "itt.tunnels.docker.token-file", SECRETS + "/token"), m.properties());
        String token = m.secret("itt-token", "token");
        assertTrue(token.matches("[A-Za-z0-9]{43}"), "256 bits of random letters and digits: " + token);
        assertNoTokenInConfigMaps(m, token);
        assertEquals(Map.of("itt-token", Map.of("token", "token")), secretItems(m.pod()));
        assertEquals(List.of(8080, 2375, 7000), ports(m.container()));

        Service users = m.get(Service.class, "itt");
        assertEquals("ClusterIP", users.getSpec().getType());
        assertEquals(List.of("docker 2375->2375"), ports(users));
        assertNull(users.getSpec().getPublishNotReadyAddresses(), "users reach only ready pods: those with an agent");
        Service tunnel = m.get(Service.class, "itt-tunnel");
        assertEquals(List.of("docker 7000->7000"), ports(tunnel));
        assertTrue(tunnel.getSpec().getPublishNotReadyAddresses(), "a server end is ready only once an agent is");
        Service headless = m.get(Service.class, "itt-headless");
        assertEquals("None", headless.getSpec().getClusterIP());
        assertTrue(headless.getSpec().getPublishNotReadyAddresses());
        assertEquals(List.of("http 8080->http", "docker 7000->7000"), ports(headless));
        for (Service s : List.of(users, tunnel, headless)) {
            assertEquals(m.deployment().getSpec().getSelector().getMatchLabels(), s.getSpec().getSelector());
        }
        assertEquals(List.of("-sS", "--insecure", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}\n",
                "http://itt:2375/"), testPod(m).getArgs(), "a request through the users' Service");
    }

    @Test
    void thePodRunsAsTheImageContractSaysHardenedAndProbed() throws Exception {
        Manifests m = HelmChart.template("itt", "examples/server.yaml");
        Deployment d = m.deployment();
        PodSpec pod = m.pod();
        Container c = m.container();
        assertEquals("ghcr.io/itt-project/itt:0.1.0", c.getImage(), "the tag is the chart's appVersion");
        assertEquals("/deployments", c.getWorkingDir());
        assertEquals(List.of(), c.getCommand(), "the image's entrypoint runs the configured tunnels");
        assertEquals(List.of(), c.getArgs());
        assertFalse(pod.getEnableServiceLinks(), "no ITT_SERVICE_HOST, ITT_PORT, ...");
        assertFalse(pod.getAutomountServiceAccountToken());
        assertEquals("0", d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getValue().toString(),
                "a surge server pod would wait for an agent for ever");
        assertFalse(d.getSpec().getTemplate().getMetadata().getAnnotations().containsKey("checksum/config"),
                "no checksum: a ConfigMap change is applied by the app itself, without a restart");

        var psc = pod.getSecurityContext();
        assertTrue(psc.getRunAsNonRoot());
        assertEquals(185L, psc.getRunAsUser());
        assertEquals(185L, psc.getRunAsGroup());
        assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());
        var sc = c.getSecurityContext();
        assertTrue(sc.getRunAsNonRoot());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals(List.of(), sc.getCapabilities().getAdd());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());

        assertEquals(Map.of("/deployments/config", "config", SECRETS, "secrets", "/tmp", "tmp", "/var/run/itt",
                "sockets"), mounts(c));
        for (VolumeMount mount : c.getVolumeMounts()) {
            assertNull(mount.getSubPath(), "a subPath mount never sees a ConfigMap or Secret update: " + mount);
        }
        assertEquals("itt", volume(pod, "config").getConfigMap().getName());
        assertTrue(mount(c, "config").getReadOnly());
        assertTrue(mount(c, "secrets").getReadOnly());
        assertTrue(volume(pod, "tmp").getEmptyDir() != null, "a writable /tmp under a read-only root");
        assertTrue(volume(pod, "sockets").getEmptyDir() != null);

        assertEquals("/q/health/started", probe(c.getStartupProbe(), c));
        assertEquals("/q/health/ready", probe(c.getReadinessProbe(), c));
        assertEquals("/q/health/live", probe(c.getLivenessProbe(), c));
        assertEquals(6, c.getLivenessProbe().getFailureThreshold(), "outlasts a long GC pause");
        assertEquals(List.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED=false"),
                c.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList());
        assertEquals("320Mi", c.getResources().getLimits().get("memory").toString());
    }

    @Test
    void anAgentBesideTheDockerDaemonMountsItsSocketAndItsServerEndsTokenSecret() throws Exception {
        Manifests m = HelmChart.templateWithTestPod("itt", Map.of(), "examples/agent-docker.yaml");
        assertEquals(props("itt.tunnels.docker.downstream", "itt-tunnel.tunnels.svc:7000",
                "itt.tunnels.docker.upstream", "unix:/var/run/docker.sock",
                "itt.tunnels.docker.token-file", SECRETS + "/token"), m.properties());
        assertEquals(List.of(), m.all(Secret.class), "the token Secret is the user's");
        assertEquals(Map.of("itt-token", Map.of("token", "token")), secretItems(m.pod()));
        assertEquals("/var/run/docker.sock", volume(m.pod(), "docker").getHostPath().getPath());
        assertEquals("Socket", volume(m.pod(), "docker").getHostPath().getType());
        assertEquals("docker", mounts(m.container()).get("/var/run/docker.sock"));
        assertEquals(List.of(999L), m.pod().getSecurityContext().getSupplementalGroups());
        assertEquals(185L, m.pod().getSecurityContext().getRunAsUser(), "merged with the chart's defaults");
        assertEquals(List.of(8080), ports(m.container()));
        assertEquals(List.of("itt-headless"), m.all(Service.class).stream().map(s -> s.getMetadata().getName())
                .toList(), "an agent listens for nobody: only its pods, for metrics");
        assertEquals(List.of("http 8080->http"), ports(m.get(Service.class, "itt-headless")));
        assertEquals("http://itt-headless:8080/q/health/ready", last(testPod(m).getArgs()),
                "without a server end, the test checks that the agent's session is up");
    }

    @Test
    void anAgentThatIsNotGivenItsServerEndsTokenIsRefused() {
        Exception e = assertThrows(Exception.class, () -> HelmChart.template("itt",
                "tunnels: {db: {downstream: 'itt-tunnel:7000', upstream: 'db:5432'}}"));
        assertTrue(e.getMessage().contains("an agent needs its server end's token: set token.existingSecret or "
                + "token.value"), e.getMessage());
    }

    @Test
    void bothEndsInOneReleaseShareTheGeneratedTokenAndPublishOnlyWhatLeavesThePod() throws Exception {
        Manifests m = HelmChart.templateWithTestPod("itt", Map.of(), "examples/both.yaml");
        assertEquals(props("itt.tunnels.web.listen", "0.0.0.0:8000", "itt.tunnels.web.tunnel", "127.0.0.1:7000",
                "itt.tunnels.web.token-file", SECRETS + "/token",
                "itt.tunnels.web-agent.name", "web", "itt.tunnels.web-agent.downstream", "127.0.0.1:7000",
                "itt.tunnels.web-agent.upstream", "127.0.0.1:8080",
                "itt.tunnels.web-agent.token-file", SECRETS + "/token"), m.properties());
        assertEquals(1, m.all(Secret.class).size());
        assertEquals(List.of(8080, 8000), ports(m.container()), "the loopback tunnel port stays in the pod");
        assertEquals(List.of("itt", "itt-headless"), m.all(Service.class).stream()
                .map(s -> s.getMetadata().getName()).toList());
        assertEquals(List.of("http 8080->http"), ports(m.get(Service.class, "itt-headless")));
        assertEquals("http://itt:8000/", last(testPod(m).getArgs()));
    }

    @Test
    void theNotesTellUsersAndAgentsWhereToConnect() throws Exception {
        String server = HelmChart.notes("itt", "examples/server.yaml");
        assertTrue(server.contains("users connect to itt.tunnels.svc:2375"), server);
        assertTrue(server.contains("kubectl -n tunnels port-forward svc/itt 2375:2375"), server);
        assertTrue(server.contains("agents set downstream to itt-tunnel.tunnels.svc:7000 and name to docker"), server);
        assertTrue(server.contains("kubectl -n tunnels get secret itt-token -o jsonpath='{.data.token}' | base64 -d"),
                server);
        String agent = HelmChart.notes("itt", "examples/agent-docker.yaml");
        assertTrue(agent.contains("Tunnel docker (agent): dials itt-tunnel.tunnels.svc:7000 and opens "
                + "unix:/var/run/docker.sock for each user."), agent);
        assertFalse(agent.contains("get secret"), "an agent's token is the user's own Secret:\n" + agent);
    }

    static Properties props(String... pairs) {
        Properties p = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            p.setProperty(pairs[i], pairs[i + 1]);
        }
        return p;
    }

    static void assertNoTokenInConfigMaps(Manifests m, String token) {
        for (ConfigMap cm : m.all(ConfigMap.class)) {
            assertFalse(cm.getData().toString().contains(token), "the token in ConfigMap " + cm.getMetadata());
            assertFalse(cm.getData().toString().matches("(?s).*\\.token=.*"), cm.getData().toString());
        }
    }

    /** The projected volume's Secrets: name -> (key -> path). */
    static Map<String, Map<String, String>> secretItems(PodSpec pod) {
        Map<String, Map<String, String>> items = new LinkedHashMap<>();
        Volume secrets = pod.getVolumes().stream().filter(v -> v.getName().equals("secrets")).findFirst()
                .orElse(null);
        if (secrets == null) {
            return items;
        }
        for (var source : secrets.getProjected().getSources()) {
            Map<String, String> files = new LinkedHashMap<>();
            source.getSecret().getItems().forEach(i -> files.put(i.getKey(), i.getPath()));
            items.put(source.getSecret().getName(), files);
        }
        return items;
    }

    static List<Integer> ports(Container c) {
        return c.getPorts().stream().map(ContainerPort::getContainerPort).toList();
    }

    /** "name port->target" for each port of a Service. */
    static List<String> ports(Service s) {
        return s.getSpec().getPorts().stream().map(p -> p.getName() + " " + p.getPort() + "->"
                + (p.getTargetPort().getIntVal() != null ? p.getTargetPort().getIntVal() : p.getTargetPort()
                        .getStrVal())).toList();
    }

    /** mountPath -> volume name. */
    static Map<String, String> mounts(Container c) {
        Map<String, String> mounts = new LinkedHashMap<>();
        c.getVolumeMounts().forEach(v -> mounts.put(v.getMountPath(), v.getName()));
        return mounts;
    }

    static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow();
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
    }

    /** The probe's path, checking that its port is the container's http port 8080. */
    private static String probe(Probe probe, Container c) {
        assertEquals("http", probe.getHttpGet().getPort().getStrVal());
        assertEquals(8080, c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort());
        return probe.getHttpGet().getPath();
    }

    static Container testPod(Manifests m) {
        var pods = m.all(io.fabric8.kubernetes.api.model.Pod.class);
        assertEquals(1, pods.size(), "one test pod");
        var spec = pods.get(0).getSpec();
        assertEquals("Never", spec.getRestartPolicy());
        assertFalse(spec.getEnableServiceLinks());
        assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        assertTrue(spec.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem());
        return spec.getContainers().get(0);
    }

    private static String last(List<String> list) {
        return list.get(list.size() - 1);
    }

    static Manifests render(String values) throws IOException {
        return HelmChart.template("itt", values);
    }
}
