package dev.itt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.end.Limit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The refusal log on a clock of the test's making: the first line at once, the rest as one count per interval. */
class RefusalLogTest {
    private static final long S = 1_000_000_000L;
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog("db", 10 * S, 3, (limit, line) -> lines.add(limit.key() + "|" + line));

    @Test
    void theFirstRefusalIsLoggedAndTheRestOfTheIntervalIsOneCount() {
        for (int i = 0; i < 50; i++) {
            log.refused(Limit.ALLOW, "10.0.0.1", "user 10.0.0.1:" + i + " refused", i * S / 10);
        }
        assertEquals(List.of("allow|tunnel db: user 10.0.0.1:0 refused"), lines);
        assertEquals(5 * S, log.flush(5 * S), "the interval ends 10 s after the logged one");
        assertEquals(1, lines.size(), "nothing before the interval is over");
        assertEquals(-1, log.flush(10 * S));
        assertEquals("allow|tunnel db: 49 more connection(s) from 10.0.0.1 refused by allow in the 10 s after the one"
                + " logged", lines.get(1));
        assertEquals(0, log.tracked(), "the source is forgotten");
    }

    @Test
    void aRefusalAfterTheIntervalIsLoggedAgainAfterTheCountOfThePreviousOne() {
        log.refused(Limit.MAX_CONNECTIONS, "10.0.0.1", "first", 0);
        log.refused(Limit.MAX_CONNECTIONS, "10.0.0.1", "second", S);
        log.refused(Limit.MAX_CONNECTIONS, "10.0.0.1", "third", 11 * S);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).contains("1 more connection(s) from 10.0.0.1"), lines.get(1));
        assertTrue(lines.get(2).endsWith(": third"), lines.get(2));
    }

    @Test
    void sourcesAndLimitsAreCountedApartAndAnIntervalWithoutMoreLogsNoCount() {
        log.refused(Limit.ALLOW, "10.0.0.1", "a", 0);
        log.refused(Limit.ALLOW, "10.0.0.2", "b", 0);
        log.refused(Limit.IDLE_TIMEOUT, "10.0.0.1", "c", 0);
        log.refused(Limit.IDLE_TIMEOUT, "10.0.0.1", "c again", 1);
        assertEquals(3, lines.size());
        log.flush(10 * S);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(3).contains("1 more connection(s) from 10.0.0.1 closed by idle-timeout"), lines.get(3));
    }

    @Test
    void pastTheTrackedSourcesTheOthersShareOneEntry() {
        for (int i = 0; i < 100; i++) {
            log.refused(Limit.ALLOW, "10.0.0." + i, "user " + i, 0);
        }
        assertEquals(4, log.tracked(), "three sources and 'other sources'");
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).contains("counted with other sources"), lines.get(3));
        log.flushAll();
        assertTrue(lines.get(4).contains("96 more connection(s) from other sources"), lines.get(4));
        assertEquals(0, log.tracked());
    }
}
