package dev.itt.mux;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A server session and an agent session joined by a connection of some kind, so that one scenario runs over every
 * kind ({@link LinkType}; yamux's testConnTypes). Sessions are single-threaded: whatever a scenario does to them,
 * or reads from them and their recorders, goes through {@link #run} or {@link #get}, which execute it on the
 * sessions' thread; {@link #settle} lets the connection carry what was sent until a condition holds.
 */
interface Link extends AutoCloseable {
    Session server();

    Session agent();

    SessionRecorder serverEvents();

    SessionRecorder agentEvents();

    /** Runs {@code step} on the sessions' thread and returns once it has; what it throws is thrown here. */
    void run(Runnable step);

    /** {@code value}, computed on the sessions' thread. */
    <T> T get(Supplier<T> value);

    /**
     * Lets the connection carry what the sessions sent until {@code condition}, evaluated on the sessions' thread,
     * holds; fails the test naming {@code what} if it does not.
     */
    void settle(String what, BooleanSupplier condition);

    /** The agent's end of the connection goes away, without a GO_AWAY (a crash, a cable pulled). */
    void dropAgentConnection();

    @Override
    void close();

    /** Server: opens a stream with {@code user} attached. */
    default MuxStream open(StreamRecorder user) {
        return get(() -> {
            MuxStream s = server().open();
            s.handler(user);
            return s;
        });
    }

    /** The agent's {@code i}-th stream (0 is the first opened), once it has arrived. */
    default MuxStream agentStream(int i) {
        settle("stream " + (i + 1) + " to reach the agent", () -> agentEvents().streams.size() > i);
        return get(() -> agentEvents().streams.get(i));
    }

    /** The upstream side the agent attached to its {@code i}-th accepted stream, once it has. */
    default StreamRecorder upstream(int i) {
        settle("stream " + (i + 1) + " to be accepted by the agent", () -> agentEvents().recorders.size() > i);
        return get(() -> agentEvents().recorders.get(i));
    }
}
