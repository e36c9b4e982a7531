package dev.itt.testing;

import dev.itt.testing.HelmChart.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The packaged app started as the kubelet would start a rendered Deployment's container: with the container's
 * environment, arguments and working directory, its ConfigMap and Secret volumes written as the kubelet lays them
 * out ({@link MountedSecret}), emptyDirs as folders and hostPaths as links to what the test gives.
 *
 * <p>Two things differ, because a test shares one machine: the pod's file system is a folder of the test, each mount
 * path P at {@code root + P}, and the ConfigMap files and environment values that name a mount path are rewritten
 * the same way (the rendered properties say {@code /var/run/secrets/itt/token}); and the container's HTTP port
 * 8080 is a free port, given to the app as {@code QUARKUS_HTTP_PORT}.
 */
public final class RenderedPod {
    private static final int CONTAINER_HTTP_PORT = 8080;
    private Manifests manifests;
    private int version = 1;
    private final Path root;
    private final int httpPort;
    private final Map<String, Secret> secrets = new HashMap<>();
    private final Map<String, Path> hostPaths = new HashMap<>();

    /** @param httpPort where the container's port 8080 is on this machine */
    public RenderedPod(Manifests manifests, Path root, int httpPort) {
        this.manifests = manifests;
        this.root = root;
        this.httpPort = httpPort;
        manifests.all(Secret.class).forEach(s -> secrets.put(s.getMetadata().getName(), s));
    }

    /** A Secret the chart does not render (an existingSecret), by name, each entry a key and its text. */
    public RenderedPod withSecret(String name, Map<String, String> data) {
        secrets.put(name, new SecretBuilder().withNewMetadata().withName(name).endMetadata().withStringData(data)
                .build());
        return this;
    }

    /** What a hostPath volume of the node's {@code path} is here. */
    public RenderedPod withHostPath(String path, Path here) {
        hostPaths.put(path, here);
        return this;
    }

    /** Where the pod's {@code path} is on this machine. */
    public Path path(String path) {
        return root.resolve(path.replaceFirst("^/+", ""));
    }

    public IttProcess start(Path log) throws IOException {
        Container c = manifests.container();
        if (!c.getCommand().isEmpty()) {
            throw new AssertionError("the container overrides the image's entrypoint: " + c.getCommand());
        }
        Pattern mountPaths = mountPaths(c);
        for (VolumeMount mount : c.getVolumeMounts()) {
            if (mount.getSubPath() != null) {
                throw new AssertionError("subPath mounts are not laid out by this test: " + mount);
            }
            Volume v = volume(mount.getName());
            Path at = path(mount.getMountPath());
            if (v.getEmptyDir() != null) {
                Files.createDirectories(at);
            } else if (v.getHostPath() != null) {
                Path here = hostPaths.get(v.getHostPath().getPath());
                if (here == null) {
                    throw new AssertionError("hostPath " + v.getHostPath().getPath() + ": the test gives no withHostPath");
                }
                Files.createDirectories(at.getParent());
                Files.createSymbolicLink(at, here.toAbsolutePath());
            } else {
                publish(v, at, mountPaths);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), rewrite(value(e), mountPaths));
        }
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        Path workDir = Files.createDirectories(path(c.getWorkingDir()));
        return IttProcess.startIn(workDir, log, env, c.getArgs().toArray(String[]::new));
    }

    /** The HTTP status the probe gets now, or 0 when nothing answers. */
    public int probe(Probe probe) {
        var get = probe.getHttpGet();
        String port = get.getPort().getStrVal() != null ? get.getPort().getStrVal() : get.getPort().getIntVal() + "";
        boolean http = manifests.container().getPorts().stream().anyMatch(p -> p.getContainerPort() == CONTAINER_HTTP_PORT
                && (port.equals(p.getName()) || port.equals(String.valueOf(CONTAINER_HTTP_PORT))));
        if (!http) {
            throw new AssertionError("the probe's port " + port + " is not the container's " + CONTAINER_HTTP_PORT);
        }
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + get.getPath())).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Volume volume(String name) {
        return manifests.pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("a mount of volume " + name + ", which the pod does not have"));
    }

    /**
     * {@code helm upgrade} to {@code next}, whose pod template must be the same (else Kubernetes would roll the pod):
     * the kubelet's update of the ConfigMap and Secret volumes, a new version of each published at once.
     */
    public void upgrade(Manifests next) throws IOException {
        if (!next.deployment().getSpec().getTemplate().equals(manifests.deployment().getSpec().getTemplate())) {
            throw new AssertionError("the pod template changed: Kubernetes would replace the pod, not update it");
        }
        manifests = next;
        next.all(Secret.class).forEach(s -> secrets.put(s.getMetadata().getName(), s));
        version++;
        Container c = next.container();
        for (VolumeMount mount : c.getVolumeMounts()) {
            Volume v = volume(mount.getName());
            if (v.getEmptyDir() == null && v.getHostPath() == null) {
                publish(v, path(mount.getMountPath()), mountPaths(c));
            }
        }
    }

    /** A ConfigMap, Secret or projected volume's files, as one new version. */
    private void publish(Volume v, Path at, Pattern mountPaths) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (v.getConfigMap() != null) {
            configMap(v.getConfigMap().getName(), v.getConfigMap().getItems(), files, mountPaths);
        } else if (v.getSecret() != null) {
            secret(v.getSecret().getSecretName(), v.getSecret().getItems(), files);
        } else if (v.getProjected() != null) {
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getSecret() != null) {
                    secret(p.getSecret().getName(), p.getSecret().getItems(), files);
                } else if (p.getConfigMap() != null) {
                    configMap(p.getConfigMap().getName(), p.getConfigMap().getItems(), files, mountPaths);
                } else {
                    throw new AssertionError("a projected source this test does not lay out: " + p);
                }
            }
        } else {
            throw new AssertionError("a volume this test does not lay out: " + v);
        }
        new MountedSecret(at).publish(String.valueOf(version), files);
    }

    private void configMap(String name, List<KeyToPath> items, Map<String, byte[]> files, Pattern mountPaths) {
        ConfigMap cm = manifests.get(ConfigMap.class, name);
        select(cm.getData(), items, "ConfigMap " + name).forEach((path, text) -> files.put(path,
                rewrite(text, mountPaths).getBytes(StandardCharsets.UTF_8)));
    }

    private void secret(String name, List<KeyToPath> items, Map<String, byte[]> files) {
        Secret s = secrets.get(name);
        if (s == null) {
            throw new AssertionError("Secret " + name + " is neither rendered nor given to the test");
        }
        Map<String, String> data = new LinkedHashMap<>();
        for (Map<String, String> keys : List.of(s.getData(), s.getStringData())) {
            keys.keySet().forEach(key -> data.put(key, HelmChart.decode(s, key)));
        }
        select(data, items, "Secret " + name).forEach((path, text) -> files.put(path,
                text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The files of a volume source: every key, or the items' keys at their paths; a missing key fails the pod. */
    private static Map<String, String> select(Map<String, String> data, List<KeyToPath> items, String what) {
        if (items == null || items.isEmpty()) {
            return data;
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (KeyToPath item : items) {
            String text = data.get(item.getKey());
            if (text == null) {
                throw new AssertionError(what + " has no key " + item.getKey() + " (the kubelet would not start the pod)");
            }
            files.put(item.getPath(), text);
        }
        return files;
    }

    private String value(EnvVar e) {
        if (e.getValueFrom() == null) {
            return e.getValue() == null ? "" : e.getValue();
        }
        var ref = e.getValueFrom().getSecretKeyRef();
        if (ref == null || !secrets.containsKey(ref.getName())) {
            throw new AssertionError("env " + e.getName() + ": a source this test does not have: " + e.getValueFrom());
        }
        return HelmChart.decode(secrets.get(ref.getName()), ref.getKey());
    }

    /** Every mount path, where it starts a path in a text (after '=', ':', a blank or the line's start). */
    private static Pattern mountPaths(Container c) {
        String alternatives = c.getVolumeMounts().stream().map(VolumeMount::getMountPath)
                .sorted(Comparator.comparingInt(String::length).reversed()).map(Pattern::quote)
                .collect(Collectors.joining("|"));
        return Pattern.compile("(?m)(?<![\\w./-])(" + alternatives + ")(?=$|[/\\s,])");
    }

    /** One pass, so that a path already moved under the root is not moved again. */
    private String rewrite(String text, Pattern mountPaths) {
        return mountPaths.matcher(text).replaceAll(m -> Matcher.quoteReplacement(path(m.group(1)).toString()));
    }
}
