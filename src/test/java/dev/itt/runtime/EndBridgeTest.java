package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.end.EndState;
import dev.itt.end.EndStats;
import dev.itt.end.LimitHits;
import dev.itt.end.TunnelEnd;
import dev.itt.mux.Role;
import dev.itt.mux.Tally;
import io.vertx.core.Future;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@link EndBridge} with an end whose classes are alike but not the same, as a dev-mode restart leaves them: the
 * end below loaded again, with every dev.itt class, by a class loader of its own over the same class files.
 */
class EndBridgeTest {
    /** An end as the earlier application made it; its answers are what the bridge must carry over. */
    public static final class OldEnd implements TunnelEnd {
        public static final AtomicLong OPEN_TIME = new AtomicLong();

        @Override
        public String name() {
            return "old";
        }

        @Override
        public Role role() {
            return Role.AGENT;
        }

        @Override
        public Future<Void> start() {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> stop() {
            return Future.failedFuture("stopped by the bridge");
        }

        @Override
        public Duration drainTimeout() {
            return Duration.ofSeconds(7);
        }

        @Override
        public EndState state() {
            return EndState.SESSION_UP;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public EndStats stats() {
            return new EndStats(1, 1, 3, 100, 200, 42, "loop-1",
                    new Tally.Totals(5, 6, 7, 8, new long[] {1, 2}, new long[] {3}, new long[] {4, 5, 6}));
        }

        @Override
        public void recordOpenTimes(LongConsumer times) {
            times.accept(1234);
        }
    }

    /** Loads dev.itt classes itself, from the same class files; everything else (JDK, Vert.x) from the parent. */
    private static final class Restarted extends URLClassLoader {
        Restarted() throws Exception {
            super(new URL[] {Path.of("target/classes").toUri().toURL(), Path.of("target/test-classes").toUri().toURL()},
                    EndBridgeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.itt.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : findClass(name);
            }
        }
    }

    @Test
    void anEndOfTheEarlierClassesAnswersInThisCodesTypes() throws Exception {
        try (Restarted loader = new Restarted()) {
            Object old = loader.loadClass(OldEnd.class.getName()).getConstructor().newInstance();
            assertFalse(old instanceof TunnelEnd, "the test's premise: other classes of the same name");
            TunnelEnd end = EndBridge.of(old);

            assertEquals("old", end.name());
            assertSame(Role.AGENT, end.role());
            assertSame(EndState.SESSION_UP, end.state());
            assertTrue(end.isReady());
            assertEquals(Duration.ofSeconds(7), end.drainTimeout());
            assertEquals("stopped by the bridge", end.stop().cause().getMessage(), "a Vert.x future passes as it is");

            EndStats stats = end.stats(); // a record of records, rebuilt in this code's classes
            assertSame(EndStats.class, stats.getClass());
            assertEquals(3, stats.activeStreams());
            assertEquals(200, stats.peakBufferedBytes());
            assertEquals("loop-1", stats.loop());
            assertSame(Tally.Totals.class, stats.totals().getClass());
            assertEquals(6, stats.totals().bytesDown());
            assertArrayEquals(new long[] {4, 5, 6}, stats.totals().handshakeFailures());

            long[] heard = new long[1];
            end.recordOpenTimes(nanos -> heard[0] = nanos); // a JDK interface, called back by the old end
            assertEquals(1234, heard[0]);

            // an answer of another kind of application class cannot be rebuilt: the interface's default stands in
            assertSame(LimitHits.NONE, end.limitHits());
            assertTrue(end.tlsFiles().isEmpty());
        }
    }

    @Test
    void anEndOfTheseClassesIsItself() {
        OldEnd same = new OldEnd();
        assertSame(same, EndBridge.of(same));
        assertNotSame(EndBridge.of(new OldEnd()), same);
    }
}
