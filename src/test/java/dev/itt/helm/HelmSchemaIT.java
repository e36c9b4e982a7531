package dev.itt.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.itt.testing.HelmChart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * values.schema.json: its tunnel keys are the app's keys (so the two cannot drift apart), typed as
 * docs/CONFIGURATION.md §2 types them, and Helm refuses values with an unknown key or a wrong type.
 */
class HelmSchemaIT {
    private static final Path SCHEMA = HelmChart.CHART.resolve("values.schema.json");

    private static JsonNode tunnelKeys() throws Exception {
        return new ObjectMapper().readTree(SCHEMA.toFile()).at("/definitions/tunnel/properties");
    }

    /** The keys of a tunnel as the app knows them: ConfigValidator.KEYS, read from the mapping. */
    @SuppressWarnings("unchecked")
    private static List<String> appKeys() throws Exception {
        var field = Class.forName("dev.itt.config.ConfigValidator").getDeclaredField("KEYS");
        field.setAccessible(true);
        return (List<String>) field.get(null);
    }

    @Test
    void theSchemaHasEveryKeyOfTheAppButTheTokenWhichComesFromASecret() throws Exception {
        TreeSet<String> expected = new TreeSet<>(appKeys());
        assertTrue(expected.remove("token"), "the app has a token key: " + expected);
        TreeSet<String> schema = new TreeSet<>();
        tunnelKeys().fieldNames().forEachRemaining(schema::add);
        assertEquals(expected, schema, "values.schema.json's tunnel keys against TunnelConfig's");
    }

    /** The schema's type of each key follows the Type column of CONFIGURATION.md §2. */
    @Test
    void eachKeyHasTheTypeTheConfigurationReferenceGivesIt() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("docs", "CONFIGURATION.md"), StandardCharsets.UTF_8);
        Map<String, String> docTypes = new TreeMap<>();
        for (String line : lines.subList(lines.indexOf("## 2. Keys"), lines.indexOf("## 3. Addresses"))) {
            String[] cells = line.split("\\|");
            if (cells.length > 3 && cells[1].trim().matches("`[a-z.-]+`")) {
                docTypes.put(cells[1].trim().replace("`", ""), cells[3].trim());
            }
        }
        JsonNode keys = tunnelKeys();
        keys.fieldNames().forEachRemaining(key -> {
            String doc = docTypes.get(key);
            JsonNode node = keys.get(key);
            String ref = node.path("$ref").asText();
            String schema = !ref.isEmpty() ? ref.substring(ref.lastIndexOf('/') + 1)
                    : node.has("enum") ? "enum " + node.get("enum") : node.get("type").asText();
            String want = switch (doc) {
                case "integer", "boolean" -> doc;
                case "duration", "size" -> doc;
                case "octal mode" -> "string";
                default -> doc.startsWith("`") ? "enum " + java.util.regex.Pattern.compile("`([a-z0-9]+)`")
                        .matcher(doc).results().map(r -> "\"" + r.group(1) + "\"")
                        .collect(java.util.stream.Collectors.joining(",", "[", "]")) : "line";
            };
            assertEquals(want, schema, key + " is a " + doc + " in CONFIGURATION.md");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an unknown top-level key         | replica: 2                                            | replica
            an unknown tunnel key            | tunnels: {web: {listn: ':1'}}                         | listn
            the token in the ConfigMap       | tunnels: {web: {token: s3cret}}                       | token
            an unknown key of a known object | image: {tags: x}                                      | tags
            an unknown key of a probe        | probes: {startup: {period: 1}}                        | period
            a number as a string             | replicas: '2'                                         | replicas
            a string for an integer key      | tunnels: {web: {max-streams: many}}                   | max-streams
            a string for a boolean key       | tunnels: {web: {ready-requires-agent: 'yes'}}         | ready-requires-agent
            an unquoted octal mode           | tunnels: {web: {listen-mode: 0660}}                   | listen-mode
            a protocol in upper case         | tunnels: {web: {protocol: LEGACY}}                    | protocol
            a line break in a value          | tunnels: {web: {upstream: \"db:5432\\nitt.x.listen=:1\"} } | upstream
            a tunnel name with upper case    | tunnels: {My_DB: {listen: ':1'}}                      | My_DB
            a tunnel name too long for a port| tunnels: {a-very-long-tunnel: {listen: ':1'}}         | a-very-long-tunnel
            the http port's name             | tunnels: {http: {listen: ':1'}}                       | http
            an annotation that is a number   | podAnnotations: {a: 1}                                | podAnnotations
            a service type that is none      | service: {listen: {type: Internal}}                   | type
            """)
    void helmRefusesValuesTheSchemaDoesNotAllow(String what, String values, String key) {
        Exception e = assertThrows(Exception.class, () -> HelmChart.template("itt", values), what);
        assertTrue(e.getMessage().contains("values don't meet the specifications of the schema"), e.getMessage());
        assertTrue(e.getMessage().contains(key), what + ": the message names " + key + ":\n" + e.getMessage());
    }
}
