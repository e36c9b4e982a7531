package dev.itt.agent;

import dev.itt.mux.MuxStream;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.UserAddresses;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.ArrayDeque;
import org.jboss.logging.Logger;

/**
 * The agent's upstream dials (docs/PROTOCOL.md §8 [8-3]): at most {@code max-pending-opens} run at once, counting
 * the dials of streams reset meanwhile, which run to their end and hold a socket until then. A stream opened past
 * them waits here, in the order the OPENs came, and is dialed when a running dial ends. On the agent's event loop.
 *
 * <p>What bounds the line: a waiting stream is a stream of the session, so at most {@code max-streams} of them wait
 * ([8-2]). A stream reset while it waits stays in line until it is reached, and is then dropped without a dial; once
 * the line holds twice {@code max-streams}, it is swept of such streams, so a server end that opens and resets
 * streams while the dials are held cannot grow it. A stream that has waited longer than {@code connect-timeout} when
 * its turn comes is answered OPEN_FAILED CONNECT_TIMEOUT without a dial: every OPEN is answered within twice
 * {@code connect-timeout} (a wait, then a dial), however long the line.
 */
final class DialQueue {
    private static final Logger LOG = Logger.getLogger(DialQueue.class);

    /** Starts one upstream dial; its end must be told to {@link #ended()}. */
    interface Dial {
        void start(MuxStream stream, UserAddresses addresses);
    }

    private record Waiting(MuxStream stream, UserAddresses addresses) {}

    private final String tunnel;
    private final Context context;
    private final int maxDials;
    private final int sweepAt;
    private final long maxWaitNanos;
    private final Dial dial;
    private final ArrayDeque<Waiting> line = new ArrayDeque<>();
    private final Handler<Void> startWaiting = v -> startWaiting();
    private int running;
    /** {@link #startWaiting} is due on the loop: set whenever a dial is free and the line is not empty. */
    private boolean due;

    DialQueue(String tunnel, Context context, int maxDials, int maxStreams, Duration maxWait, Dial dial) {
        this.tunnel = tunnel;
        this.context = context;
        this.maxDials = maxDials;
        this.sweepAt = 2 * maxStreams;
        this.maxWaitNanos = maxWait.toNanos();
        this.dial = dial;
    }

    /** A stream the server end opened: dialed now if a dial is free and none waits before it, else in line. */
    void offer(MuxStream stream, UserAddresses addresses) {
        if (stream.state().isTerminal()) {
            return; // reset before its turn on the loop came
        }
        if (running < maxDials && line.isEmpty()) {
            running++;
            dial.start(stream, addresses);
            return;
        }
        if (line.size() >= sweepAt) {
            line.removeIf(w -> w.stream.state().isTerminal());
        }
        line.add(new Waiting(stream, addresses));
    }

    /** A dial is over: the stream first in line gets its turn. */
    void ended() {
        running--;
        if (!line.isEmpty() && !due) {
            due = true;
            // not from the dial's own callback: see AgentEnd's onStreamOpened on descriptors freed in this batch
            context.runOnContext(startWaiting);
        }
    }

    private void startWaiting() {
        due = false;
        long now = System.nanoTime();
        Waiting w;
        while (running < maxDials && (w = line.poll()) != null) {
            MuxStream s = w.stream;
            if (s.state().isTerminal()) {
                continue;
            }
            long waited = now - s.openedNanos();
            if (waited > maxWaitNanos) {
                String reason = "waited " + waited / 1_000_000 + " ms for one of " + maxDials
                        + " upstream dials (max-pending-opens), longer than connect-timeout";
                LOG.infof("tunnel %s stream %d: %s", tunnel, s.id(), reason);
                s.refuse(ErrorCode.CONNECT_TIMEOUT, reason);
                continue;
            }
            running++;
            dial.start(s, w.addresses);
        }
    }
}
