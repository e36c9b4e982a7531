package dev.itt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.itt.testing.Await;
import dev.itt.testing.IttProcess;
import dev.itt.testing.Nginx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose/compose.yaml without a container engine (none runs on the machines ITT is built on): the packaged
 * application started for its {@code agent} and {@code server} services with their environment and secret, the
 * Docker socket a stand-in (nginx on a Unix socket answering {@code /_ping} as the Docker API does), and the request
 * {@code docker-cli} would make, sent to the address and port its entrypoint names.
 *
 * <p>The services share one machine here, so what names a container's address or a path in it is mapped: the
 * service names to 127.0.0.1, each service's ports to free ports, the secret and the socket to files of the test.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ComposeIT {
    private static final Path COMPOSE = Path.of("deploy/compose/compose.yaml");
    private static final Duration START = Duration.ofSeconds(30);

    @Test
    void theDockerSocketRecipeAnswersTheDockerApiThroughTheTunnel(@TempDir Path dir) throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        JsonNode services = compose.get("services");
        JsonNode agent = services.get("agent");
        JsonNode server = services.get("server");
        JsonNode cli = services.get("docker-cli");
        for (JsonNode itt : List.of(agent, server)) {
            assertTrue(itt.get("image").asText().contains("itt"), itt.toString());
            assertTrue(itt.get("read_only").asBoolean(), "a read-only root file system: " + itt);
            assertEquals("itt-token", itt.get("secrets").get(0).asText(), itt.toString());
        }
        assertEquals("/var/run/docker.sock:/var/run/docker.sock", agent.get("volumes").get(0).asText());
        assertTrue(server.get("ports") == null, "the Docker API is not published on the host: " + server);
        List<String> entrypoint = new ArrayList<>();
        cli.get("entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertEquals(List.of("docker", "-H", "tcp://server:2375"), entrypoint);

        // the stand-ins: the secret, the daemon's socket
        Path token = Files.writeString(dir.resolve("itt-token"), "Compose-Token-7vQ2xP9mK4wL1zR8bN6c");
        Path socket = dir.resolve("docker.sock");
        Path api = Files.createDirectories(dir.resolve("api"));
        Files.writeString(api.resolve("_ping"), "OK");
        int users = Await.freePort();
        int tunnel = Await.freePort();
        Map<String, String> paths = Map.of("/run/secrets/itt-token", token.toString(),
                "/var/run/docker.sock", socket.toString(), "0.0.0.0:2375", "127.0.0.1:" + users,
                "0.0.0.0:7000", "127.0.0.1:" + tunnel, "server:7000", "127.0.0.1:" + tunnel);
        try (Nginx daemon = Nginx.serveOnUnixSocket(dir.resolve("nginx"), api, socket);
                IttProcess s = IttProcess.startIn(dir, dir.resolve("server.log"), env(server, paths))
                        .awaitLog("server end listening", START);
                IttProcess a = IttProcess.startIn(dir, dir.resolve("agent.log"), env(agent, paths))
                        .awaitLog("connected to server", START)) {
            // docker -H tcp://server:2375 ps begins with GET /_ping
            HttpResponse<String> ping = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + users + "/_ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ping.statusCode(), ping.body());
            assertEquals("OK", ping.body());
        }
    }

    /** A service's environment, with what names a container's path or address mapped; no HTTP port. */
    private static Map<String, String> env(JsonNode service, Map<String, String> paths) {
        Map<String, String> env = new HashMap<>();
        service.get("environment").fields().forEachRemaining(e -> {
            String value = e.getValue().asText();
            for (Map.Entry<String, String> p : paths.entrySet()) {
                value = value.replace(p.getKey(), p.getValue());
            }
            env.put(e.getKey(), value);
        });
        env.put("QUARKUS_HTTP_PORT", "0");
        return env;
    }
}
