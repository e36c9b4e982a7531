package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.MuxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StreamState} against the tables of docs/PROTOCOL.md §5.3, read from the spec file itself: the states in
 * their order, which sides each leaves open, and where each FIN leads. Editing either the enum or the spec alone
 * fails here.
 */
class StreamStateTest {
    private static final int STREAM = 7;

    /** One row of a markdown table, its cells trimmed and without backticks. */
    record Row(List<String> cells) {
        String get(int i) {
            return cells.get(i);
        }

        @Override
        public String toString() {
            return String.join(" | ", cells);
        }
    }

    /** The text of §5.3, from its heading to the next heading of the same or a higher level. */
    static String section53() throws IOException {
        Path spec = Path.of(System.getProperty("basedir", "."), "docs", "PROTOCOL.md");
        List<String> lines = Files.readAllLines(spec, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith("### 5.3 ")) {
                in = true;
                continue;
            }
            if (in && (line.startsWith("### ") || line.startsWith("## "))) {
                break;
            }
            if (in) {
                out.append(line).append('\n');
            }
        }
        assertTrue(in, "docs/PROTOCOL.md has a section 5.3");
        return out.toString();
    }

    /** The body rows of the table in §5.3 whose first header cell is {@code firstHeader}. */
    static List<Row> table(String firstHeader) throws IOException {
        List<List<Row>> tables = new ArrayList<>();
        List<Row> current = null;
        for (String line : section53().split("\n")) {
            if (!line.startsWith("|")) {
                current = null;
                continue;
            }
            if (current == null) {
                current = new ArrayList<>();
                tables.add(current);
            }
            String inner = line.substring(1, line.lastIndexOf('|'));
            List<String> cells = Arrays.stream(inner.split("\\|", -1)).map(c -> c.replace("`", "").trim()).toList();
            if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
                continue; // the separator under the header
            }
            current.add(new Row(cells));
        }
        for (List<Row> t : tables) {
            if (!t.isEmpty() && t.get(0).get(0).equals(firstHeader)) {
                assertTrue(t.size() > 1, "the '" + firstHeader + "' table of §5.3 has rows");
                return t.subList(1, t.size());
            }
        }
        throw new AssertionError("§5.3 of docs/PROTOCOL.md has no table headed '" + firstHeader + "'");
    }

    static List<Row> states() throws IOException {
        return table("State");
    }

    static List<Row> transitions() throws IOException {
        return table("From");
    }

    static Stream<Row> stateRows() throws IOException {
        return states().stream();
    }

    static Stream<Row> transitionRows() throws IOException {
        return transitions().stream();
    }

    private static boolean yesNo(String cell, Row row) {
        return switch (cell) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new AssertionError("neither yes nor no: '" + cell + "' in row " + row);
        };
    }

    private static StreamState state(String cell, Row row) {
        try {
            return StreamState.valueOf(cell);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("'" + cell + "' in row " + row + " is not a StreamState");
        }
    }

    @Test
    void theEnumListsTheSpecsStatesInTheSpecsOrder() throws IOException {
        List<String> spec = states().stream().map(r -> r.get(0)).toList();
        List<String> code = Arrays.stream(StreamState.values()).map(Enum::name).toList();
        assertEquals(spec, code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateRows")
    void eachStateLeavesOpenTheSidesTheSpecSays(Row row) {
        StreamState s = state(row.get(0), row);
        assertEquals(yesNo(row.get(1), row), s.localOpen(), "this end may send, row " + row);
        assertEquals(yesNo(row.get(2), row), s.remoteOpen(), "the peer may send, row " + row);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitionRows")
    void sendingFinLeadsWhereTheSpecSays(Row row) {
        StreamState from = state(row.get(0), row);
        String cell = row.get(1);
        if (cell.equals("(not allowed)")) {
            assertThrows(IllegalStateException.class, from::closeLocal, "row " + row);
        } else {
            assertEquals(state(cell, row), from.closeLocal(), "row " + row);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitionRows")
    void receivingFinLeadsWhereTheSpecSays(Row row) throws MuxException {
        StreamState from = state(row.get(0), row);
        String cell = row.get(2);
        if (cell.startsWith("stream error")) {
            MuxException e = assertThrows(MuxException.class, () -> from.closeRemote(STREAM), "row " + row);
            assertFalse(e.isConnectionError(), "a stream error, not a connection error: row " + row);
            assertEquals(STREAM, e.streamId());
            assertEquals(errorCodeNamedIn(cell, row), e.code(), "row " + row);
        } else {
            assertEquals(state(cell, row), from.closeRemote(STREAM), "row " + row);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitionRows")
    void aResetLeadsToAFinalStateFromEveryRowOfTheTable(Row row) {
        StreamState to = state(row.get(3), row);
        assertTrue(to.isTerminal(), "row " + row);
    }

    @Test
    void theTransitionTableHasARowForExactlyTheStatesThatAreNotFinal() throws IOException {
        List<StreamState> rows = transitions().stream().map(r -> state(r.get(0), r)).toList();
        List<StreamState> open = Arrays.stream(StreamState.values()).filter(s -> !s.isTerminal()).toList();
        assertEquals(open, rows);
    }

    @Test
    void theStatesTheSpecCallsFinalAreTheTerminalOnes() throws IOException {
        Matcher m = Pattern.compile("([A-Z_]+) and ([A-Z_]+) are final").matcher(section53());
        assertTrue(m.find(), "§5.3 says which states are final");
        List<StreamState> spec = List.of(StreamState.valueOf(m.group(1)), StreamState.valueOf(m.group(2)));
        List<StreamState> code = Arrays.stream(StreamState.values()).filter(StreamState::isTerminal).toList();
        assertEquals(spec, code);
    }

    @ParameterizedTest
    @EnumSource(value = StreamState.class, names = {"CLOSED", "RESET"})
    void aFinalStateRefusesAFinSentFromThisEnd(StreamState s) {
        assertThrows(IllegalStateException.class, s::closeLocal);
    }

    @ParameterizedTest
    @EnumSource(value = StreamState.class, names = {"CLOSED", "RESET"})
    void aFinalStateTakesAFinFromThePeerAsAStreamProtocolError(StreamState s) {
        MuxException e = assertThrows(MuxException.class, () -> s.closeRemote(STREAM));
        assertFalse(e.isConnectionError());
        assertEquals(STREAM, e.streamId());
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
    }

    private static ErrorCode errorCodeNamedIn(String cell, Row row) {
        List<ErrorCode> named = new ArrayList<>();
        Matcher m = Pattern.compile("[A-Z_]{2,}").matcher(cell);
        while (m.find()) {
            Arrays.stream(ErrorCode.values()).filter(c -> c.name().equals(m.group())).forEach(named::add);
        }
        assertEquals(1, named.size(), "one error code named in '" + cell + "', row " + row);
        return named.get(0);
    }
}
