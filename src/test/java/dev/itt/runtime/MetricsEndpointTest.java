package dev.itt.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.agent.AgentEnd;
import dev.itt.mux.HandshakeFailure;
import dev.itt.mux.SessionClose;
import dev.itt.mux.StreamFailure;
import dev.itt.testing.Await;
import dev.itt.testing.Prometheus;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code /q/metrics} of a running application, scraped over HTTP as Prometheus does, while real traffic goes
 * through the tunnels of {@link MetricsTunnelResource}: every family with its HELP and at 0 before any user, then
 * the figures of real connections, a refused upstream, a wrong token and a killed agent, at both ends. The tests
 * run in order: each builds on the counts the ones before left.
 */
@QuarkusTest
@WithTestResource(MetricsTunnelResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsEndpointTest {
    /** The families of docs/OPERATIONS.md, "Metrics", as Prometheus names them. */
    private static final List<String> FAMILIES = List.of("itt_streams_opened_total", "itt_streams_failed_total",
            "itt_streams_active", "itt_bytes_total", "itt_agents", "itt_sessions_opened_total",
            "itt_sessions_closed_total", "itt_handshake_failures_total", "itt_stream_open_seconds",
            "itt_buffered_bytes", "itt_buffered_bytes_peak", "itt_limit_hits_total", "itt_ready");
    /** Each end as its tags name it: {tunnel, end}. */
    private static final String[][] ENDS = {{"m", "server"}, {"m-agent", "agent"}, {"r", "server"},
        {"r-agent", "agent"}};
    /** The digest the upstream sends before the bytes it echoes. */
    private static final int DIGEST = 32;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    private Prometheus scrape() {
        try {
            return Prometheus.scrape(metrics.toString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The value of {@code name} for one end, with more labels as name, value pairs; fails if there is none. */
    private static double value(Prometheus p, String name, String[] end, String... labels) {
        String[] all = Arrays.copyOf(new String[] {"tunnel", end[0], "end", end[1]}, 4 + labels.length);
        System.arraycopy(labels, 0, all, 4, labels.length);
        Double v = p.value(name, all);
        assertNotNull(v, name + " " + Arrays.toString(all) + " is missing:\n" + p);
        return v;
    }

    /** Waits until the scrape shows {@code expected} for {@code name} at {@code end} (a snapshot is ≤ 1 s old). */
    private Prometheus await(double expected, String name, String[] end, String... labels) {
        Prometheus[] last = new Prometheus[1];
        try {
            Await.until(name + " " + Arrays.toString(end) + Arrays.toString(labels) + " = " + expected,
                    TunnelFixture.WAIT, () -> value(last[0] = scrape(), name, end, labels) == expected);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last scrape:\n" + last[0], e);
        }
        return last[0];
    }

    private static final String[] M_SERVER = ENDS[0];
    private static final String[] M_AGENT = ENDS[1];
    private static final String[] R_SERVER = ENDS[2];
    private static final String[] R_AGENT = ENDS[3];

    @Test
    @Order(1)
    void everyFamilyHasHelpAndEverySeriesIsThereAtZeroBeforeAnyUser() {
        for (String[] end : List.of(M_SERVER, R_SERVER)) {
            await(1, "itt_ready", end);
        }
        await(1, "itt_ready", M_AGENT);
        Prometheus p = await(1, "itt_ready", R_AGENT);
        for (String family : FAMILIES) {
            assertFalse(p.help(family) == null || p.help(family).isBlank(), family + " has HELP text:\n" + p);
        }
        assertEquals("histogram", p.type("itt_stream_open_seconds"));
        for (String[] end : ENDS) {
            assertEquals(0, value(p, "itt_streams_opened_total", end));
            for (StreamFailure f : StreamFailure.values()) {
                assertEquals(0, value(p, "itt_streams_failed_total", end, "reason", f.label()), f.label());
            }
            assertEquals(0, value(p, "itt_streams_active", end));
            assertEquals(0, value(p, "itt_bytes_total", end, "direction", "up"));
            assertEquals(0, value(p, "itt_bytes_total", end, "direction", "down"));
            assertEquals(1, value(p, "itt_sessions_opened_total", end), "the agent's one session, at both ends");
            for (SessionClose c : SessionClose.values()) {
                assertEquals(0, value(p, "itt_sessions_closed_total", end, "reason", c.label()), c.label());
            }
            for (HandshakeFailure f : HandshakeFailure.values()) {
                assertEquals(0, value(p, "itt_handshake_failures_total", end, "reason", f.label()), f.label());
            }
            assertEquals(0, value(p, "itt_stream_open_seconds_count", end));
            assertEquals(0, value(p, "itt_stream_open_seconds_bucket", end, "le", "+Inf"));
            assertEquals(0, value(p, "itt_buffered_bytes", end));
        }
        for (String[] server : List.of(M_SERVER, R_SERVER)) {
            assertEquals(1, value(p, "itt_agents", server));
            assertEquals(0, value(p, "itt_limit_hits_total", server, "limit", "allow"));
        }
    }

    @Test
    @Order(2)
    void bytesStreamsAndOpenTimesOfRealConnectionsAreCountedAtBothEnds() throws Exception {
        int[] sizes = {200_000, 3, 1_234_567};
        long up = 0;
        long down = 0;
        for (int n : sizes) {
            byte[] data = new byte[n];
            new Random(n).nextBytes(data);
            try (Socket user = Users.connect(MetricsTunnelResource.mListenPort)) {
                user.getOutputStream().write(data, 0, Math.min(n, 1000));
                // open while the connection is: the upstream answers only after our EOF
                await(1, "itt_streams_active", M_SERVER);
                await(1, "itt_streams_active", M_AGENT);
                user.getOutputStream().write(data, Math.min(n, 1000), n - Math.min(n, 1000));
                user.shutdownOutput();
                byte[] reply = Users.readAll(user.getInputStream());
                MessageDigest sha = Target.sha256();
                assertArrayEquals(sha.digest(data), Arrays.copyOf(reply, DIGEST), "the upstream got every byte");
                assertEquals(DIGEST + n, reply.length, "and sent them back after the digest");
            }
            up += n;
            down += DIGEST + n;
            for (String[] end : List.of(M_SERVER, M_AGENT)) {
                await(0, "itt_streams_active", end);
                await(up, "itt_bytes_total", end, "direction", "up");
                await(down, "itt_bytes_total", end, "direction", "down");
            }
        }
        for (String[] end : List.of(M_SERVER, M_AGENT)) {
            Prometheus p = await(sizes.length, "itt_streams_opened_total", end);
            assertEquals(sizes.length, value(p, "itt_stream_open_seconds_count", end), "one open time per stream");
            assertEquals(sizes.length, value(p, "itt_stream_open_seconds_bucket", end, "le", "+Inf"));
            assertTrue(value(p, "itt_stream_open_seconds_sum", end) > 0, "the open times add up to something");
            for (StreamFailure f : StreamFailure.values()) {
                assertEquals(0, value(p, "itt_streams_failed_total", end, "reason", f.label()), f.label());
            }
        }
    }

    @Test
    @Order(3)
    void aRefusedUpstreamCountsAsAFailedStreamWithItsReasonAtBothEnds() throws Exception {
        try (Socket user = Users.connect(MetricsTunnelResource.rListenPort)) {
            assertEquals(-1, readOrReset(user.getInputStream()), "the user is closed");
        }
        for (String[] end : List.of(R_SERVER, R_AGENT)) {
            Prometheus p = await(1, "itt_streams_failed_total", end, "reason", StreamFailure.REFUSED.label());
            assertEquals(0, value(p, "itt_streams_opened_total", end));
            assertEquals(0, value(p, "itt_stream_open_seconds_count", end), "no open time for a failed open");
            assertEquals(1, value(p, "itt_sessions_opened_total", end), "the session is untouched");
        }
    }

    @Test
    @Order(4)
    void anAgentWithAWrongTokenCountsAsAFailedHandshakeNotASession() {
        try (TunnelFixture wrong = new TunnelFixture().session(TestConfigs.session("m", "not-" + MetricsTunnelResource.TOKEN))) {
            wrong.startAgent("127.0.0.1:" + MetricsTunnelResource.mTunnelPort, MetricsTunnelResource.upstream, null);
            Await.until("a bad-token handshake failure at the server end", TunnelFixture.WAIT, () -> value(scrape(),
                    "itt_handshake_failures_total", M_SERVER, "reason", HandshakeFailure.BAD_TOKEN.label()) >= 1);
        }
        Prometheus p = scrape();
        assertEquals(1, value(p, "itt_sessions_opened_total", M_SERVER), "a refused agent never had a session");
        assertEquals(1, value(p, "itt_agents", M_SERVER));
        for (HandshakeFailure f : HandshakeFailure.values()) {
            if (f != HandshakeFailure.BAD_TOKEN) {
                assertEquals(0, value(p, "itt_handshake_failures_total", M_SERVER, "reason", f.label()), f.label());
            }
        }
    }

    @Test
    @Order(5)
    void aKilledAgentsSessionCountsAsClosedByItsPeerAndWhatItCarriedStaysInTheTotals() throws Exception {
        Prometheus before = scrape();
        double upBefore = value(before, "itt_bytes_total", M_SERVER, "direction", "up");
        double openedBefore = value(before, "itt_streams_opened_total", M_SERVER);
        Vertx killable = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        try (TunnelFixture second = new TunnelFixture().session(TestConfigs.session("m", MetricsTunnelResource.TOKEN))) {
            // A stream held open on the first agent's session, opened before the new agent comes, sends the next
            // user to the new agent's: it has fewer streams, so no tie is left to the tie-break.
            Socket held = Users.connect(MetricsTunnelResource.mListenPort);
            held.getOutputStream().write(new byte[10]);
            await(1, "itt_streams_active", M_SERVER);
            AgentEnd agent = second.startAgent(killable, "127.0.0.1:" + MetricsTunnelResource.mTunnelPort,
                    MetricsTunnelResource.upstream, null);
            await(2, "itt_agents", M_SERVER);
            await(2, "itt_sessions_opened_total", M_SERVER);
            byte[] data = new byte[50_000];
            try (Socket user = Users.connect(MetricsTunnelResource.mListenPort)) {
                user.getOutputStream().write(data);
                user.shutdownOutput();
                assertEquals(DIGEST + data.length, Users.readAll(user.getInputStream()).length);
            }
            Await.until("the new agent to have carried that user", TunnelFixture.WAIT,
                    () -> TunnelFixture.fresh(agent).totals().bytesUp() == data.length);
            TunnelFixture.join(killable.close()); // its connection drops without a GO_AWAY, as a killed process's
            Prometheus p = await(1, "itt_sessions_closed_total", M_SERVER, "reason", SessionClose.PEER_CLOSED.label());
            await(1, "itt_agents", M_SERVER);
            for (SessionClose c : SessionClose.values()) {
                if (c != SessionClose.PEER_CLOSED) {
                    assertEquals(0, value(p, "itt_sessions_closed_total", M_SERVER, "reason", c.label()), c.label());
                }
            }
            assertEquals(upBefore + 10 + data.length, value(p, "itt_bytes_total", M_SERVER, "direction", "up"),
                    "the lost session's bytes stay in the tunnel's totals");
            assertEquals(openedBefore + 2, value(p, "itt_streams_opened_total", M_SERVER));
            held.shutdownOutput();
            assertEquals(DIGEST + 10, Users.readAll(held.getInputStream()).length, "the first agent's user is served");
            held.close();
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
