package dev.itt.mux;

import dev.itt.testing.TestConfigs;

/** A server session and an agent session joined by an in-memory pipe. */
final class SessionPair {
    final TestLoop loop = new TestLoop();
    final PipeTransport serverSide;
    final PipeTransport agentSide;
    final SessionRecorder serverEvents = new SessionRecorder();
    final SessionRecorder agentEvents = new SessionRecorder();
    final Session server;
    final Session agent;

    SessionPair(SessionConfig serverConfig, SessionConfig agentConfig) {
        PipeTransport[] pipe = PipeTransport.pair(loop);
        serverSide = pipe[0];
        agentSide = pipe[1];
        server = new Session(Role.SERVER, serverSide, serverConfig, serverEvents, Dialect.nativeProtocol());
        agent = new Session(Role.AGENT, agentSide, agentConfig, agentEvents, Dialect.nativeProtocol());
        serverSide.owner(server);
        agentSide.owner(agent);
    }

    static SessionPair of(String tunnel, String serverToken, String agentToken) {
        return new SessionPair(TestConfigs.session(tunnel, serverToken), TestConfigs.session(tunnel, agentToken));
    }

    /** Runs the handshake to its end, whatever the end is. */
    SessionPair start() {
        long now = System.nanoTime();
        server.start(now);
        agent.start(now);
        loop.runUntilIdle();
        return this;
    }

    /** Server opens a stream with a recorder attached. */
    MuxStream open(StreamRecorder recorder) {
        MuxStream s = server.open();
        s.handler(recorder);
        return s;
    }
}
