package dev.itt.helm;

import static dev.itt.helm.HelmChartIT.SECRETS;
import static dev.itt.helm.HelmChartIT.assertNoTokenInConfigMaps;
import static dev.itt.helm.HelmChartIT.mounts;
import static dev.itt.helm.HelmChartIT.ports;
import static dev.itt.helm.HelmChartIT.props;
import static dev.itt.helm.HelmChartIT.secretItems;
import static dev.itt.helm.HelmChartIT.testPod;
import static dev.itt.helm.HelmChartIT.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.HelmChart;
import dev.itt.testing.HelmChart.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The chart's values beyond the examples: TLS, where the token comes from, ServiceMonitor and every pod knob. */
class HelmValuesIT {
    private static final String SERVER = "tunnels: {web: {listen: '0.0.0.0:8000', tunnel: '0.0.0.0:7000'}}\n";
    private static final String PAIR = "tunnels:\n"
            + "  web: {listen: '0.0.0.0:8000', tunnel: '0.0.0.0:7000'}\n"
            + "  remote: {downstream: 'other:7000', upstream: 'db:5432'}\n";

    @Test
    void tlsFromASecretGivesAServerEndItsCertificateAndAnAgentTheCaItTrusts() throws Exception {
        Manifests m = HelmChart.template("itt", PAIR, "tls: {existingSecret: itt-tls}");
        Properties p = m.properties();
        assertEquals(SECRETS + "/tls/tls.crt", p.getProperty("itt.tunnels.web.tls.cert"));
        assertEquals(SECRETS + "/tls/tls.key", p.getProperty("itt.tunnels.web.tls.key"));
        assertEquals(null, p.getProperty("itt.tunnels.web.tls.client-ca"));
        assertEquals(SECRETS + "/tls/ca.crt", p.getProperty("itt.tunnels.remote.tls.trust"));
        assertEquals(null, p.getProperty("itt.tunnels.remote.tls.cert"), "no client certificate unless mutual");
        assertEquals(Map.of("tls.crt", "tls/tls.crt", "tls.key", "tls/tls.key", "ca.crt", "tls/ca.crt"),
                secretItems(m.pod()).get("itt-tls"));

        // only the files the properties name are mounted: a server end's Secret need not hold ca.crt
        Manifests server = HelmChart.template("itt", SERVER, "tls: {existingSecret: itt-tls}");
        assertEquals(Map.of("tls.crt", "tls/tls.crt", "tls.key", "tls/tls.key"),
                secretItems(server.pod()).get("itt-tls"));
    }

    @Test
    void mutualTlsAsksAgentsForACertificateAndGivesAnAgentOne() throws Exception {
        Properties p = HelmChart.template("itt", PAIR, "tls: {existingSecret: itt-tls, mutual: true}").properties();
        assertEquals(SECRETS + "/tls/ca.crt", p.getProperty("itt.tunnels.web.tls.client-ca"));
        assertEquals(SECRETS + "/tls/tls.crt", p.getProperty("itt.tunnels.remote.tls.cert"));
        assertEquals(SECRETS + "/tls/tls.key", p.getProperty("itt.tunnels.remote.tls.key"));
        assertEquals(SECRETS + "/tls/ca.crt", p.getProperty("itt.tunnels.remote.tls.trust"));
    }

    @Test
    void aTunnelThatSetsItsOwnTlsKeysIsLeftAlone() throws Exception {
        Manifests m = HelmChart.template("itt", "tunnels: {remote: {downstream: 'other:7000', upstream: 'db:5432', "
                + "tls.trust: /etc/pki/corp.crt}}", "token: {value: t}", "tls: {existingSecret: itt-tls}");
        assertEquals(props("itt.tunnels.remote.downstream", "other:7000", "itt.tunnels.remote.upstream", "db:5432",
                "itt.tunnels.remote.tls.trust", "/etc/pki/corp.crt", "itt.tunnels.remote.token-file",
                SECRETS + "/token"), m.properties());
        assertFalse(secretItems(m.pod()).containsKey("itt-tls"), "nothing reads it");
    }

    @Test
    void listenTlsServesUsersTlsOnTcpListensAndTheTestSpeaksHttps() throws Exception {
        Manifests m = HelmChart.templateWithTestPod("itt", Map.of(), "tunnels:\n"
                + "  web: {listen: '0.0.0.0:8443', tunnel: '0.0.0.0:7000'}\n"
                + "  sock: {listen: 'unix:/var/run/itt/s.sock', tunnel: '0.0.0.0:7001'}\n",
                "listenTls: {existingSecret: users-tls, clientCa: true}");
        Properties p = m.properties();
        assertEquals(SECRETS + "/listen-tls/tls.crt", p.getProperty("itt.tunnels.web.listen-tls.cert"));
        assertEquals(SECRETS + "/listen-tls/tls.key", p.getProperty("itt.tunnels.web.listen-tls.key"));
        assertEquals(SECRETS + "/listen-tls/ca.crt", p.getProperty("itt.tunnels.web.listen-tls.client-ca"));
        assertFalse(m.propertiesText().contains("itt.tunnels.sock.listen-tls"), "a unix: listen cannot have TLS");
        assertEquals(Map.of("tls.crt", "listen-tls/tls.crt", "tls.key", "listen-tls/tls.key", "ca.crt",
                "listen-tls/ca.crt"), secretItems(m.pod()).get("users-tls"));
        List<String> args = testPod(m).getArgs();
        assertEquals("https://itt:8443/", args.get(args.size() - 1));
    }

    @Test
    void anExistingTokenSecretIsReferencedAndNoSecretIsRendered() throws Exception {
        Manifests m = HelmChart.template("itt", SERVER, "token: {existingSecret: shared-token}");
        assertEquals(List.of(), m.all(Secret.class));
        assertEquals(Map.of("shared-token", Map.of("token", "token")), secretItems(m.pod()));
        assertEquals(SECRETS + "/token", m.properties().getProperty("itt.tunnels.web.token-file"));
    }

    @Test
    void aGivenTokenIsInTheSecretOnlyNeverInTheConfigMap() throws Exception {
        String token = "Given-Token-4kQ9zX2mW7bN5cV8pL1";
        Manifests m = HelmChart.template("itt", SERVER, "token: {value: " + token + "}");
        assertEquals(token, m.secret("itt-token", "token"));
        assertNoTokenInConfigMaps(m, token);
        assertEquals(1, m.yaml().split(java.util.regex.Pattern.quote(
                java.util.Base64.getEncoder().encodeToString(token.getBytes())), -1).length - 1,
                "the token appears once, base64 in its Secret");
    }

    @Test
    void legacyTunnelsAndTunnelsWithTheirOwnTokenFileTakeNoTokenAndNeedNoSecret() throws Exception {
        Manifests m = HelmChart.template("itt", "tunnels:\n"
                + "  old: {listen: '0.0.0.0:8000', tunnel: '0.0.0.0:7000', protocol: legacy}\n"
                + "  own: {listen: '0.0.0.0:8001', tunnel: '0.0.0.0:7001', token-file: /etc/itt/own}\n");
        assertFalse(m.propertiesText().contains(SECRETS), m.propertiesText());
        assertEquals(List.of(), m.all(Secret.class));
        assertFalse(m.pod().getVolumes().stream().anyMatch(v -> v.getName().equals("secrets")));
        assertFalse(mounts(m.container()).containsKey(SECRETS));
    }

    @Test
    void aServiceMonitorScrapesTheMetricsOfEveryPodThroughTheHeadlessService() throws Exception {
        Manifests m = HelmChart.template("itt", SERVER,
                "serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}");
        GenericKubernetesResource sm = m.get(GenericKubernetesResource.class, "itt");
        assertEquals("monitoring.coreos.com/v1", sm.getApiVersion());
        assertEquals("ServiceMonitor", sm.getKind());
        assertEquals("prometheus", sm.getMetadata().getLabels().get("release"));
        Map<String, Object> spec = sm.get("spec");
        @SuppressWarnings("unchecked")
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector"))
                .get("matchLabels");
        for (Service s : m.all(Service.class)) {
            boolean selected = s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet());
            assertEquals(s.getMetadata().getName().equals("itt-headless"), selected, s.getMetadata().getName());
        }
        assertEquals(List.of(Map.of("port", "http", "path", "/q/metrics", "interval", "15s")), spec.get("endpoints"));
        assertEquals(List.of(), HelmChart.template("itt", SERVER).all(GenericKubernetesResource.class), "off by default");
    }

    @Test
    void everyPodKnobReachesThePod() throws Exception {
        Manifests m = HelmChart.template("itt", SERVER, """
                image: {repository: registry.corp/itt, tag: "1.2.3", pullPolicy: Always}
                imagePullSecrets: [{name: regcred}]
                replicas: 3
                serviceAccount: {create: true, annotations: {team: tunnels}}
                podAnnotations: {prometheus.io/scrape: "true"}
                podLabels: {team: tunnels}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: edge, effect: NoSchedule}]
                affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}
                topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]
                priorityClassName: high
                terminationGracePeriodSeconds: 45
                restartOnConfigChange: true
                jsonLogs: true
                extraEnv: [{name: ITT_TUNNELS_WEB_PROXY, valueFrom: {secretKeyRef: {name: corp, key: url}}}]
                extraVolumes: [{name: corp-ca, configMap: {name: corp-ca}}]
                extraVolumeMounts: [{name: corp-ca, mountPath: /etc/pki/corp}]
                socketsVolume: {hostPath: {path: /run/itt, type: DirectoryOrCreate}}
                resources: {requests: {cpu: 250m}}
                probes: {liveness: {failureThreshold: 9}}
                podDisruptionBudget: {enabled: true, minAvailable: 2}
                service:
                  listen: {type: LoadBalancer, annotations: {lb.corp/internal: "true"}}
                  tunnel: {type: NodePort}
                """);
        var d = m.deployment();
        PodSpec pod = m.pod();
        Container c = m.container();
        assertEquals("registry.corp/itt:1.2.3", c.getImage());
        assertEquals("Always", c.getImagePullPolicy());
        assertEquals("regcred", pod.getImagePullSecrets().get(0).getName());
        assertEquals(3, d.getSpec().getReplicas());
        assertEquals("itt", pod.getServiceAccountName());
        assertEquals("tunnels", m.get(ServiceAccount.class, "itt").getMetadata().getAnnotations().get("team"));
        var meta = d.getSpec().getTemplate().getMetadata();
        assertEquals("true", meta.getAnnotations().get("prometheus.io/scrape"));
        assertTrue(meta.getAnnotations().get("checksum/config").matches("[0-9a-f]{64}"), meta.getAnnotations().toString());
        assertEquals("tunnels", meta.getLabels().get("team"));
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        assertEquals("edge", pod.getTolerations().get(0).getValue());
        assertTrue(pod.getAffinity().getPodAntiAffinity() != null);
        assertEquals("zone", pod.getTopologySpreadConstraints().get(0).getTopologyKey());
        assertEquals("high", pod.getPriorityClassName());
        assertEquals(45L, pod.getTerminationGracePeriodSeconds());
        assertEquals("true", c.getEnv().get(0).getValue(), "JSON logs");
        assertEquals("corp", c.getEnv().get(1).getValueFrom().getSecretKeyRef().getName());
        assertEquals("corp-ca", mounts(c).get("/etc/pki/corp"));
        assertEquals("corp-ca", volume(pod, "corp-ca").getConfigMap().getName());
        assertEquals("/run/itt", volume(pod, "sockets").getHostPath().getPath());
        assertEquals("250m", c.getResources().getRequests().get("cpu").toString());
        assertEquals(9, c.getLivenessProbe().getFailureThreshold());
        assertEquals(10, c.getLivenessProbe().getPeriodSeconds(), "the other probe values stay");
        PodDisruptionBudget pdb = m.get(PodDisruptionBudget.class, "itt");
        assertEquals(2, pdb.getSpec().getMinAvailable().getIntVal());
        assertEquals(null, pdb.getSpec().getMaxUnavailable());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());
        Service users = m.get(Service.class, "itt");
        assertEquals("LoadBalancer", users.getSpec().getType());
        assertEquals("true", users.getMetadata().getAnnotations().get("lb.corp/internal"));
        assertEquals("NodePort", m.get(Service.class, "itt-tunnel").getSpec().getType());
        assertEquals(List.of(8080, 8000, 7000), ports(c));
    }

    @Test
    void valuesReachThePropertiesAsTheAppReadsThem() throws Exception {
        Properties p = HelmChart.template("itt", """
                tunnels:
                  web:
                    listen: 0.0.0.0:8000
                    tunnel: 0.0.0.0:7000
                    max-control-frames-per-second: 1000000
                    session-window: 67108864
                    max-stream-window: 32M
                    keep-alive-interval: 15
                    drain-timeout: 2s
                    ready-requires-agent: false
                    listen-group: 'corp\\tunnels'
                    allow: 10.0.0.0/8,192.0.2.7
                """).properties();
        assertEquals("1000000", p.getProperty("itt.tunnels.web.max-control-frames-per-second"), "not 1e+06");
        assertEquals("67108864", p.getProperty("itt.tunnels.web.session-window"));
        assertEquals("32M", p.getProperty("itt.tunnels.web.max-stream-window"));
        assertEquals("15", p.getProperty("itt.tunnels.web.keep-alive-interval"));
        assertEquals("2s", p.getProperty("itt.tunnels.web.drain-timeout"));
        assertEquals("false", p.getProperty("itt.tunnels.web.ready-requires-agent"));
        assertEquals("corp\\tunnels", p.getProperty("itt.tunnels.web.listen-group"), "a backslash survives");
        assertEquals("10.0.0.0/8,192.0.2.7", p.getProperty("itt.tunnels.web.allow"));
    }

    @Test
    void aChangeOfTunnelsThatKeepsThePortsLeavesThePodAsItIsWhileANewPortReplacesIt() throws Exception {
        var before = HelmChart.template("itt", PAIR, "token: {value: t}").deployment().getSpec().getTemplate();
        var agentChanged = HelmChart.template("itt", PAIR, "token: {value: t}",
                "tunnels: {remote: {upstream: 'db2:5432', keep-alive-interval: 5s}, sock: {listen: 'unix:/var/run/itt/s',"
                        + " tunnel: '127.0.0.1:7001'}}").deployment().getSpec().getTemplate();
        assertEquals(before, agentChanged, "the app applies the new ConfigMap itself (restartOnConfigChange: false)");
        var portAdded = HelmChart.template("itt", PAIR, "token: {value: t}",
                "tunnels: {db: {listen: '0.0.0.0:5432', tunnel: '0.0.0.0:7001'}}").deployment().getSpec().getTemplate();
        assertFalse(before.equals(portAdded), "new container ports: Kubernetes replaces the pods");
    }
}
