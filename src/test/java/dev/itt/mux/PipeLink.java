package dev.itt.mux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.itt.testing.TestConfigs;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A server session and an agent session joined by an in-memory pipe on a {@link TestLoop}: the test's own thread
 * is the sessions' thread, and settling is running the loop until nothing is left to deliver. The pipe's ends are
 * open to tests that play tricks only a pipe can, such as a peer that stops reading. Public so that the ends'
 * tests can have established sessions without sockets.
 */
public final class PipeLink implements Link {
    final TestLoop loop = new TestLoop();
    final PipeTransport serverSide;
    final PipeTransport agentSide;
    final SessionRecorder serverEvents = new SessionRecorder();
    final SessionRecorder agentEvents = new SessionRecorder();
    final Session server;
    final Session agent;

    PipeLink(SessionConfig serverConfig, SessionConfig agentConfig) {
        PipeTransport[] pipe = PipeTransport.pair(loop);
        serverSide = pipe[0];
        agentSide = pipe[1];
        server = new Session(Role.SERVER, serverSide, serverConfig, serverEvents, Dialect.nativeProtocol());
        agent = new Session(Role.AGENT, agentSide, agentConfig, agentEvents, Dialect.nativeProtocol());
        serverSide.owner(server);
        agentSide.owner(agent);
    }

    public static PipeLink of(String tunnel, String serverToken, String agentToken) {
        return new PipeLink(TestConfigs.session(tunnel, serverToken), TestConfigs.session(tunnel, agentToken));
    }

    /** Runs the handshake to its end, whatever the end is. */
    public PipeLink start() {
        long now = System.nanoTime();
        server.start(now);
        agent.start(now);
        loop.runUntilIdle();
        return this;
    }

    @Override
    public Session server() {
        return server;
    }

    @Override
    public Session agent() {
        return agent;
    }

    @Override
    public SessionRecorder serverEvents() {
        return serverEvents;
    }

    @Override
    public SessionRecorder agentEvents() {
        return agentEvents;
    }

    @Override
    public void run(Runnable step) {
        step.run();
    }

    @Override
    public <T> T get(Supplier<T> value) {
        return value.get();
    }

    @Override
    public void settle(String what, BooleanSupplier condition) {
        loop.runUntilIdle();
        assertTrue(condition.getAsBoolean(), "the pipe went quiet while waiting for " + what);
    }

    @Override
    public void dropAgentConnection() {
        agentSide.close();
    }

    @Override
    public void close() {}
}
