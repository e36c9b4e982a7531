package dev.itt.runtime;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reading SmallRye Health's JSON as a probe would: a GET with a timeout, one check out of its {@code checks}. */
final class HealthJson {
    private HttpClient http = HttpClient.newHttpClient();

    /**
     * The body of a GET of {@code url} that answers within {@code timeout}, its HTTP status checked against the
     * body's. After a failure the next GET opens a new connection, which Vert.x may give to another event loop.
     */
    JsonObject get(URL url, Duration timeout) throws IOException, InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout)
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonObject body = new JsonObject(r.body());
            int expected = "UP".equals(body.getString("status")) ? 200 : 503;
            if (r.statusCode() != expected) {
                throw new AssertionError("HTTP " + r.statusCode() + " for status " + body.getString("status"));
            }
            return body;
        } catch (IOException e) {
            http = HttpClient.newHttpClient();
            throw e;
        }
    }

    JsonObject get(URL url) throws IOException, InterruptedException {
        return get(url, Duration.ofSeconds(10));
    }

    /** The check named {@code name}. */
    static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> name.equals(c.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + health.encode()));
    }
}
