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
import dev.itt.testing.Trees;
import dev.itt.testing.Users;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes rendered by {@code kubectl kustomize} (kustomize built into kubectl; ./test installs Debian's
 * kubernetes-client where there is no kubectl) and checked, then its
 * two overlays run as their pods would ({@link RenderedPod}), edited as a user edits them: the tunnels' addresses in
 * each overlay's application.properties.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KustomizeIT {
    private static final Path MANIFESTS = Path.of("deploy/kubernetes");
    private static final Duration START = Duration.ofSeconds(30);
    private static final String TOKEN = "Kustomize-Token-3mW8qZ5vR1xK7pN2c";

    private static Manifests render(Path overlay) throws Exception {
        Path errors = Files.createTempFile("kustomize", ".err");
        Process p = new ProcessBuilder(Peers.require("kubectl", "kubernetes-client"), "kustomize", overlay.toString())
                .redirectError(errors.toFile()).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), yaml);
        // today's kustomize warns that the old fields (kept for kubectl 1.20) are deprecated: not a failure
        assertEquals(0, p.exitValue(), yaml + Files.readString(errors));
        Files.delete(errors);
        return HelmChart.manifests(yaml);
    }

    @Test
    void bothOverlaysRenderTheHardenedDeploymentAndTheServerOverlayItsServices() throws Exception {
        for (String overlay : List.of("server", "agent")) {
            Manifests m = render(MANIFESTS.resolve(overlay));
            PodSpec pod = m.pod();
            Container c = m.container();
            assertFalse(pod.getEnableServiceLinks(), overlay);
            assertTrue(pod.getSecurityContext().getRunAsNonRoot(), overlay);
            assertEquals(185L, pod.getSecurityContext().getRunAsUser(), overlay);
            assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), overlay);
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), overlay);
            assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation(), overlay);
            assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), overlay);
            assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath(), overlay);
            assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath(), overlay);
            assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath(), overlay);
            String properties = m.propertiesText();
            assertTrue(properties.contains(".token-file=/var/run/secrets/itt/token"), properties);
            assertFalse(properties.matches("(?s).*\\.token=.*"), "no token in the ConfigMap: " + properties);
            // a fixed name: an edit reaches running pods as a changed file, not a new rollout
            assertEquals("itt-config", pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst()
                    .orElseThrow().getConfigMap().getName(), overlay);
        }
        Manifests server = render(MANIFESTS.resolve("server"));
        Map<String, String> labels = server.deployment().getSpec().getTemplate().getMetadata().getLabels();
        for (String name : List.of("itt", "itt-tunnel", "itt-agents")) {
            Service s = server.get(Service.class, name);
            assertTrue(labels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), name + " selects the pods");
        }
        assertEquals(8000, server.get(Service.class, "itt").getSpec().getPorts().get(0).getPort());
        assertEquals("None", server.get(Service.class, "itt-agents").getSpec().getClusterIP());
        assertTrue(render(MANIFESTS.resolve("agent")).all(Service.class).isEmpty(), "an agent offers no port");
    }

    @Test
    void theServerAndAgentOverlaysRunAsTheirPodsWouldAndCarryBytes(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("kubernetes");
        Trees.copy(MANIFESTS, copy);
        int users = Await.freePort();
        int tunnel = Await.freePort();
        try (Target echo = Target.tcp(Target.Mode.ECHO, 0)) {
            edit(copy.resolve("server/application.properties"), Map.of("0.0.0.0:8000", "127.0.0.1:" + users,
                    "0.0.0.0:7000", "127.0.0.1:" + tunnel));
            edit(copy.resolve("agent/application.properties"), Map.of("itt-tunnel.itt.svc:7000",
                    "127.0.0.1:" + tunnel, "web.default.svc:80", echo.address()));
            RenderedPod server = new RenderedPod(render(copy.resolve("server")), dir.resolve("server-pod"),
                    Await.freePort()).withSecret("itt-token", Map.of("token", TOKEN));
            RenderedPod agent = new RenderedPod(render(copy.resolve("agent")), dir.resolve("agent-pod"),
                    Await.freePort()).withSecret("itt-token", Map.of("token", TOKEN));
            try (IttProcess s = server.start(dir.resolve("server.log")).awaitLog("server end listening", START);
                    IttProcess a = agent.start(dir.resolve("agent.log")).awaitLog("connected to server", START);
                    Socket user = Users.connect(users)) {
                user.getOutputStream().write("through kustomize".getBytes(StandardCharsets.UTF_8));
                user.shutdownOutput();
                assertEquals("through kustomize",
                        new String(Users.readAll(user.getInputStream()), StandardCharsets.UTF_8));
                assertFalse(s.log().contains(TOKEN) || a.log().contains(TOKEN));
            }
        }
    }

    private static void edit(Path file, Map<String, String> replacements) throws Exception {
        String text = Files.readString(file);
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertTrue(text.contains(r.getKey()), file + " has " + r.getKey());
            text = text.replace(r.getKey(), r.getValue());
        }
        Files.writeString(file, text);
    }
}
