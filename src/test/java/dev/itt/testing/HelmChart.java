package dev.itt.testing;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The chart {@code helm/itt} linted and rendered by the real Helm engine (helm-java, Helm's Go code through JNI),
 * the manifests parsed with fabric8's Kubernetes model. Kinds the model does not know (ServiceMonitor) come back as
 * {@code GenericKubernetesResource}.
 *
 * <p>Tests that use it are {@code *IT}, run by failsafe in a JVM of their own: once Helm's Go runtime is loaded into
 * a JVM, Jazzer's agent no longer attaches in it, and surefire's fuzz tests fail (JazzerInternal not found).
 */
public final class HelmChart {
    public static final Path CHART = Path.of("helm", "itt");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private HelmChart() {}

    public static LintResult lintStrict() {
        return new Helm(CHART).lint().strict().call();
    }

    /**
     * {@code helm template RELEASE helm/itt -n tunnels -f F1 -f F2 --set k=v ...}; each values entry is a YAML
     * document or a file of the chart's folder ({@code examples/server.yaml}). Throws what Helm reports, schema
     * refusals included.
     */
    public static Manifests template(String release, Map<String, Object> set, String... values) throws IOException {
        return template(CHART, release, set, values);
    }

    /**
     * The same, with the {@code helm test} pod among the manifests: Helm keeps hooks out of the manifest it
     * returns, so this renders a copy of the chart whose test pod has its hook annotation taken out.
     */
    public static Manifests templateWithTestPod(String release, Map<String, Object> set, String... values)
            throws IOException {
        Path copy = Files.createTempDirectory("chart").resolve("itt");
        Trees.copy(CHART, copy);
        try (var tests = Files.list(copy.resolve("templates/tests"))) {
            for (Path f : tests.toList()) {
                Files.writeString(f, Files.readString(f).replaceAll("(?m)^\\s*helm\\.sh/hook.*\\n", ""));
            }
        }
        try {
            return template(copy, release, set, values);
        } finally {
            Trees.delete(copy.getParent());
        }
    }

    private static Manifests template(Path chart, String release, Map<String, Object> set, String... values)
            throws IOException {
        var template = new Helm(chart).template().withName(release).withNamespace("tunnels");
        for (String v : values) {
            template.withValuesFile(valuesFile(v));
        }
        set.forEach(template::set);
        String yaml = template.call();
        return new Manifests(yaml, parse(yaml));
    }

    /** What {@code helm install --dry-run} prints after the release's status: NOTES.txt rendered. */
    public static String notes(String release, String... values) throws IOException {
        var install = new Helm(CHART).install().withName(release).withNamespace("tunnels").clientOnly()
                .dryRun().withDryRunOption(DryRun.CLIENT);
        for (String v : values) {
            install.withValuesFile(valuesFile(v));
        }
        String out = install.call().getOutput();
        int notes = out.indexOf("NOTES:");
        if (notes < 0) {
            throw new AssertionError("no NOTES in:\n" + out);
        }
        return out.substring(notes);
    }

    /** A values file of the chart's folder, or a YAML document written to a temporary file. */
    private static Path valuesFile(String values) throws IOException {
        Path file = CHART.resolve(values);
        if (values.endsWith(".yaml") && Files.exists(file)) {
            return file;
        }
        file = Files.createTempFile("values", ".yaml");
        file.toFile().deleteOnExit();
        return Files.writeString(file, values);
    }

    public static Manifests template(String release, String... values) throws IOException {
        return template(release, Map.of(), values);
    }

    /** Manifests rendered by something else ({@code kubectl kustomize}). */
    public static Manifests manifests(String yaml) {
        return new Manifests(yaml, parse(yaml));
    }

    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
                objects.add(YAML.unmarshal(doc, HasMetadata.class));
            }
        }
        return objects;
    }

    /** What one {@code helm template} rendered: the YAML, and the objects in it. */
    public record Manifests(String yaml, List<HasMetadata> objects) {
        public <T extends HasMetadata> List<T> all(Class<T> kind) {
            return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        /** The object of this kind and name; fails with what there is when there is none. */
        public <T extends HasMetadata> T get(Class<T> kind, String name) {
            return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name + " in "
                            + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
        }

        public Deployment deployment() {
            List<Deployment> d = all(Deployment.class);
            if (d.size() != 1) {
                throw new AssertionError("expected one Deployment, got " + d.size());
            }
            return d.get(0);
        }

        public PodSpec pod() {
            return deployment().getSpec().getTemplate().getSpec();
        }

        /** The app's container. */
        public Container container() {
            return pod().getContainers().stream().filter(c -> c.getName().equals("itt")).findFirst().orElseThrow();
        }

        /** The rendered config/application.properties, as text. */
        public String propertiesText() {
            return all(ConfigMap.class).get(0).getData().get("application.properties");
        }

        public Properties properties() throws IOException {
            Properties p = new Properties();
            p.load(new StringReader(propertiesText()));
            return p;
        }

        /** A key of a rendered Secret, decoded. */
        public String secret(String name, String key) {
            return decode(get(Secret.class, name), key);
        }
    }

    /** The value of a Secret's key, from stringData or base64 data. */
    public static String decode(Secret secret, String key) {
        if (secret.getStringData().containsKey(key)) {
            return secret.getStringData().get(key);
        }
        String data = secret.getData().get(key);
        if (data == null) {
            throw new AssertionError("Secret " + secret.getMetadata().getName() + " has no key " + key);
        }
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
    }
}
