package dev.itt.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape in Prometheus' text format (version 0.0.4) as a test reads it: each family's HELP and TYPE, and each
 * sample by its name and its labels. Parsed here with nothing of the code under test.
 */
public final class Prometheus {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One sample: its labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final Map<String, String> help = new HashMap<>();
    private final Map<String, String> type = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private Prometheus(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                help.put(p[0], p.length > 1 ? p[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ", 2);
                type.put(p[0], p[1]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
    }

    private static Sample sample(String line) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a Prometheus sample line: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
            Matcher l = LABEL.matcher(m.group(2));
            int at = 0;
            while (l.lookingAt()) {
                labels.put(l.group(1), l.group(2));
                at = l.end();
                l.region(at, m.group(2).length());
            }
            if (at != m.group(2).length()) {
                throw new AssertionError("labels not understood in: " + line);
            }
        }
        return new Sample(m.group(1), labels, Double.parseDouble(m.group(3)));
    }

    public static Prometheus parse(String text) {
        return new Prometheus(text);
    }

    /** GETs {@code url} (a {@code /q/metrics}) and parses the answer, which must be HTTP 200. */
    public static Prometheus scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + ": HTTP " + r.statusCode() + "\n" + r.body());
        }
        return parse(r.body());
    }

    /**
     * The HELP text of the family of {@code name}, or null if it has no HELP line. A counter's samples end in
     * {@code _total}; its family may be named with or without it (the Prometheus simpleclient writes it without).
     */
    public String help(String name) {
        return help.getOrDefault(name, help.get(family(name)));
    }

    /** The TYPE ({@code counter}, {@code gauge}, {@code histogram}...) of the family of {@code name}, or null. */
    public String type(String name) {
        return type.getOrDefault(name, type.get(family(name)));
    }

    private static String family(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    }

    /** Every sample named {@code name}. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * The value of the sample named {@code name} whose labels are exactly {@code labels} (name, value, name,
     * value...), or null if there is none.
     */
    public Double value(String name, String... labels) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        return samples(name).stream().filter(s -> s.labels().equals(want)).map(Sample::value).findFirst()
                .orElse(null);
    }

    /** The scrape as it came, for failure messages. */
    @Override
    public String toString() {
        return text;
    }
}
