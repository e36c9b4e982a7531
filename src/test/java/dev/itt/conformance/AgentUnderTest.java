package dev.itt.conformance;

import dev.itt.agent.AgentEnd;
import dev.itt.config.DialTarget;
import dev.itt.config.ProxyUrl;
import dev.itt.config.TunnelSpec;
import dev.itt.mux.SessionConfig;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.testing.RawPeer;
import dev.itt.testing.RawServer;
import dev.itt.testing.Target;
import dev.itt.testing.TestConfigs;
import dev.itt.testing.TunnelFixture;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * Real agents for the cases of one class, each dialing a fake server end ({@link RawServer}) that the case plays
 * frame by frame, with an echo target as the default upstream. Each {@link #dial} is a new agent and a new fake
 * server, so no reconnect of an earlier case's agent lands in a later case.
 */
final class AgentUnderTest implements AutoCloseable {
    final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    final Target echo;

    AgentUnderTest() throws IOException {
        if (!vertx.isNativeTransportEnabled()) {
            throw new AssertionError("native transport unavailable: " + vertx.unavailableNativeTransportCause());
        }
        echo = Target.tcp(Target.Mode.ECHO, 0);
    }

    /** An agent without a token, every setting at its default, serving the echo target. */
    Dial dial() throws IOException {
        return dial(TestConfigs.session(ServerUnderTest.TUNNEL, null), echo.address());
    }

    /** An agent with {@code keys} set on top of the defaults (no token), serving the echo target. */
    Dial dial(Map<String, String> keys) throws IOException {
        return dial(TestConfigs.session(ServerUnderTest.TUNNEL, null, keys), echo.address());
    }

    /** An agent with these session settings and upstream; returns once it has dialed and sent HELLO. */
    Dial dial(SessionConfig session, String upstream) throws IOException {
        return dial(session, upstream, null, Duration.ofSeconds(5));
    }

    /**
     * An agent with these session settings, upstream, proxy URL (null for none) and {@code connect-timeout}; returns
     * once it has dialed and sent HELLO.
     */
    Dial dial(SessionConfig session, String upstream, String proxy, Duration connectTimeout) throws IOException {
        RawServer server = new RawServer();
        AgentEnd agent = new AgentEnd(vertx, new TunnelSpec.Agent(ServerUnderTest.TUNNEL,
                DialTarget.parse(server.address()), DialTarget.parse(upstream),
                proxy == null ? null : ProxyUrl.parse(proxy), session, connectTimeout,
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(2), TunnelSpec.Wire.NATIVE));
        TunnelFixture.join(agent.start());
        return new Dial(server, agent);
    }

    /** One agent and the fake server end it dialed, with the connection it made. */
    static final class Dial implements AutoCloseable {
        final RawServer server;
        final AgentEnd agent;
        final RawPeer conn;
        final Frame.Hello hello;

        private Dial(RawServer server, AgentEnd agent) throws IOException {
            this.server = server;
            this.agent = agent;
            this.conn = server.accept();
            this.hello = (Frame.Hello) conn.readUntil(Frame.Hello.class::isInstance);
        }

        /** The fake server end's CHALLENGE with these proofs; reads on the caller's thread until AUTH comes. */
        Frame.Auth challenge(byte[] serverNonce, byte[] proofs) throws IOException {
            conn.send(out -> FrameEncoder.writeChallenge(out, serverNonce, proofs));
            return (Frame.Auth) conn.readUntil(Frame.Auth.class::isInstance);
        }

        /** A handshake as a server end without a token does it, then the connection is read on its own thread. */
        void establish() throws IOException {
            challenge(RawPeer.nonce(), new byte[0]);
            conn.send(FrameEncoder::writeWelcome);
            conn.startReading();
        }

        /** The next connection this agent makes, once the last one ended; nothing read yet. */
        RawPeer redial() throws IOException {
            return server.accept();
        }

        @Override
        public void close() throws Exception {
            conn.close();
            TunnelFixture.join(agent.stop());
            server.close();
        }
    }

    @Override
    public void close() throws Exception {
        echo.close();
        TunnelFixture.join(vertx.close());
    }
}
