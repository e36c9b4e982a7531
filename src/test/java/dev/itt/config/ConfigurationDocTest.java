package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappingInterface;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md §2 and the mapping agree: every key of {@link TunnelConfig} has one row in the keys table,
 * every row is a key, and each row's Default and Type cells say what the mapping says.
 *
 * <p>The rule for the Default cell: a key with a {@code @WithDefault} shows exactly that value as code
 * ({@code `10s`}); a key without one shows {@code —} (an end cannot do without it), {@code none} (unset means
 * off) or words for a value that depends on something else, never code on its own.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("docs", "CONFIGURATION.md");

    /** The rows of the §2 keys table: key, then the cells by column name. */
    private static Map<String, Map<String, String>> keysTable() throws IOException {
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        int section = lines.indexOf("## 2. Keys");
        assertTrue(section >= 0, DOC + " has no section '## 2. Keys'");
        List<String> header = null;
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(section + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("|")) {
                if (header != null) {
                    break; // the table has ended
                }
                continue;
            }
            List<String> cells = Arrays.stream(line.substring(1).split("\\|")).map(String::trim).toList();
            if (header == null) {
                header = cells;
                continue;
            }
            if (cells.get(0).startsWith("---")) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < cells.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            String key = row.get("Key");
            assertTrue(key.matches("`[a-z0-9-]+(\\.[a-z0-9-]+)*`"), "a row's key is one code span: " + line);
            assertNull(rows.put(key.substring(1, key.length() - 1), row), "two rows for " + key);
        }
        assertTrue(header != null && header.containsAll(List.of("Key", "Type", "Default")),
                "§2 has no table with columns Key, Type and Default: " + header);
        return rows;
    }

    /** The mapping's keys as SmallRye names them, with their properties; a group's keys as {@code tls.cert}. */
    private static Map<String, Property> mapping() {
        ConfigMappingInterface root = ConfigMappingInterface.getConfigurationInterface(IttConfig.class);
        Map<String, Property> keys = new TreeMap<>();
        addKeys(keys, "", ConfigMappingInterface.getConfigurationInterface(TunnelConfig.class), root);
        return keys;
    }

    private static void addKeys(Map<String, Property> keys, String prefix, ConfigMappingInterface group,
            ConfigMappingInterface root) {
        for (Property p : group.getProperties()) {
            String name = prefix + p.getPropertyName(root.getNamingStrategy());
            if (p.isGroup()) {
                addKeys(keys, name + ".", p.asGroup().getGroupType(), root);
            } else {
                keys.put(name, p);
            }
        }
    }

    /** What a key holds: {@code Duration} for {@code Optional<Duration>}, {@code int} for {@code OptionalInt}. */
    private static String valueType(java.lang.reflect.Method m) {
        if (m.getReturnType() == java.util.OptionalInt.class) {
            return "int";
        }
        if (m.getGenericReturnType() instanceof java.lang.reflect.ParameterizedType optional
                && m.getReturnType() == java.util.Optional.class
                && optional.getActualTypeArguments()[0] instanceof Class<?> held) {
            return held.getSimpleName();
        }
        return m.getReturnType().getSimpleName();
    }

    @Test
    void everyKeyOfTheMappingHasARowAndEveryRowIsAKey() throws IOException {
        TreeSet<String> documented = new TreeSet<>(keysTable().keySet());
        TreeSet<String> mapped = new TreeSet<>(mapping().keySet());
        TreeSet<String> undocumented = new TreeSet<>(mapped);
        undocumented.removeAll(documented);
        TreeSet<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(mapped);
        assertTrue(undocumented.isEmpty() && unknown.isEmpty(), "keys missing from " + DOC + " §2: " + undocumented
                + "; rows that are no key of TunnelConfig: " + unknown);
    }

    @Test
    void everyRowShowsTheMappingsDefault() throws IOException {
        Map<String, Map<String, String>> table = keysTable();
        List<String> wrong = new ArrayList<>();
        mapping().forEach((key, p) -> {
            Map<String, String> row = table.get(key);
            if (row == null) {
                return; // reported by the test above
            }
            String cell = row.get("Default");
            if (p.hasDefaultValue()) {
                if (!cell.equals("`" + p.getDefaultValue() + "`")) {
                    wrong.add(key + ": the mapping's default is `" + p.getDefaultValue() + "`, the table says " + cell);
                }
            } else if (cell.isEmpty() || cell.startsWith("`") && cell.endsWith("`")) {
                wrong.add(key + ": the mapping has no default, so the table says —, none or words, not '" + cell + "'");
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyRowShowsTheMappingsType() throws IOException {
        Map<String, Map<String, String>> table = keysTable();
        Map<String, String> words = Map.of("Duration", "duration", "MemorySize", "size", "int", "integer");
        List<String> wrong = new ArrayList<>();
        mapping().forEach((key, p) -> {
            Map<String, String> row = table.get(key);
            String expected = words.get(valueType(p.getMethod()));
            if (row != null && expected != null && !row.get("Type").equals(expected)) {
                wrong.add(key + ": the mapping's type is " + expected + ", the table says " + row.get("Type"));
            } else if (row != null && expected == null && words.containsValue(row.get("Type"))) {
                wrong.add(key + ": the mapping's type is " + p.getMethod().getGenericReturnType()
                        + ", the table says " + row.get("Type"));
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
