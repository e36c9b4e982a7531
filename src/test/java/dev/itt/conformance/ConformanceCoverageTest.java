package dev.itt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Holds docs/PROTOCOL.md and the conformance suite to each other, so that the count never drifts: every labelled
 * requirement (<b>[x.y-n]</b>, each a MUST or MUST NOT) has exactly one case, no case names a label the spec does
 * not have, every test of the suite names one, and each case's display name quotes its requirement's text.
 */
class ConformanceCoverageTest {
    /** The suite, one class per group of sections. */
    static final List<Class<?>> SUITE = List.of(FrameConformanceTest.class, HandshakeConformanceTest.class,
            AuthenticationConformanceTest.class, StreamConformanceTest.class, FlowControlConformanceTest.class,
            LimitsConformanceTest.class, KeepAliveAndGoAwayConformanceTest.class);

    private static final Pattern LABEL = Pattern.compile("\\*\\*\\[(\\d+(?:\\.\\d+)?-\\d+)]\\*\\*");

    @Test
    void everyRequirementOfTheSpecHasExactlyOneCaseAndEveryCaseARequirement() throws IOException {
        String spec = Files.readString(Path.of("docs/PROTOCOL.md"), StandardCharsets.UTF_8);
        Map<String, String> requirements = requirements(spec);
        Map<String, List<String>> cases = new TreeMap<>();
        for (Class<?> c : SUITE) {
            for (Method m : c.getDeclaredMethods()) {
                boolean isTest = m.isAnnotationPresent(Test.class);
                Requirement r = m.getAnnotation(Requirement.class);
                assertTrue(!isTest || r != null, c.getSimpleName() + "." + m.getName() + " names no @Requirement");
                if (r == null) {
                    continue;
                }
                assertTrue(isTest, c.getSimpleName() + "." + m.getName() + " has a @Requirement but is no @Test");
                cases.computeIfAbsent(r.value(), k -> new ArrayList<>()).add(c.getSimpleName() + "." + m.getName());
                assertQuotes(spec, r.value(), m);
            }
        }
        List<String> problems = new ArrayList<>();
        requirements.keySet().stream().filter(l -> !cases.containsKey(l))
                .forEach(l -> problems.add("[" + l + "] has no case"));
        cases.forEach((l, ms) -> {
            if (!requirements.containsKey(l)) {
                problems.add(ms + " name [" + l + "], which PROTOCOL.md does not have");
            } else if (ms.size() > 1) {
                problems.add("[" + l + "] has " + ms.size() + " cases: " + ms);
            }
        });
        requirements.forEach((l, text) -> {
            if (!text.contains("MUST")) {
                problems.add("[" + l + "] is labelled but says no MUST: " + text);
            }
        });
        assertEquals(List.of(), problems);
        System.out.printf("PROTOCOL.md: %d labelled requirements, %d conformance cases%n", requirements.size(),
                cases.size());
    }

    /** Each label with its text, up to the next label or the end of its paragraph or list item. */
    static Map<String, String> requirements(String spec) {
        Map<String, String> found = new TreeMap<>();
        Matcher m = LABEL.matcher(spec);
        while (m.find()) {
            int end = spec.length();
            Matcher next = LABEL.matcher(spec);
            if (next.find(m.end())) {
                end = next.start();
            }
            int paragraph = spec.indexOf("\n\n", m.end());
            int item = indexOfItem(spec, m.end());
            end = Math.min(end, Math.min(paragraph < 0 ? end : paragraph, item < 0 ? end : item));
            String previous = found.put(m.group(1), normalize(spec.substring(m.end(), end)));
            assertTrue(previous == null, "label [" + m.group(1) + "] appears twice in PROTOCOL.md");
        }
        return found;
    }

    private static int indexOfItem(String spec, int from) {
        Matcher item = Pattern.compile("\n\\s*(-|\\d+\\.) ").matcher(spec);
        return item.find(from) ? item.start() : -1;
    }

    private static void assertQuotes(String spec, String label, Method m) {
        DisplayName name = m.getAnnotation(DisplayName.class);
        assertTrue(name != null, m.getName() + " has no @DisplayName quoting [" + label + "]");
        String prefix = "[" + label + "] ";
        assertTrue(name.value().startsWith(prefix), m.getName() + ": the display name starts with " + prefix);
        String quote = normalize(name.value());
        assertTrue(normalize(spec).contains(quote),
                m.getName() + ": the display name is not PROTOCOL.md's text of [" + label + "]: " + quote);
    }

    /** Without Markdown emphasis and code marks, and with every run of white space one space. */
    static String normalize(String text) {
        return text.replace("**", "").replace("`", "").replace("*", "").replaceAll("\\s+", " ").trim();
    }
}
