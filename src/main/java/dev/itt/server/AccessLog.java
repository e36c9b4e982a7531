package dev.itt.server;

import dev.itt.mux.MuxStream;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.vertx.Connection;
import dev.itt.vertx.SocketWatch;
import dev.itt.vertx.UserClosed;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The server end's access log: one INFO line per user connection, under the category {@value #CATEGORY}, when it
 * ends, with the tunnel, the user's address, the bytes each way, how long it lasted and how it ended
 * (docs/OPERATIONS.md, "Access log"). Everything in it was counted already (the stream's bytes and open time), so
 * a connection costs nothing for it until its line; with the category off, not even that. On the end's loop.
 */
final class AccessLog implements UserClosed {
    /** The logger category, for operators to route or turn off. */
    static final String CATEGORY = "dev.itt.access";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    /** How a user connection ended, as the line's {@code end=} says it. */
    enum Ending {
        /** The user ended its direction first; the upstream's followed. */
        CLOSED_BY_USER,
        /** The upstream ended its direction first; the user's followed. */
        CLOSED_BY_UPSTREAM,
        /** The user's socket went away before its direction had ended (a reset, an error). */
        RESET_BY_USER,
        /** No byte either way for {@code idle-timeout}: this end closed it. */
        IDLE_TIMEOUT,
        /** The agent did not open the upstream for it; the agent's reason follows. */
        UPSTREAM_REFUSED,
        /** The agent reset the stream after it was open (the upstream went away abruptly, or a stream error). */
        RESET,
        /** The tunnel connection carrying it ended (the agent went away or stopped answering). */
        AGENT_LOST,
        /** No agent took it: none connected, or every one going away. */
        NO_AGENT,
        /** This end is stopping: turned away, or cut when the drain time ran out. */
        DRAIN;

        private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

        String label() {
            return label;
        }
    }

    private final String tunnel;
    private final BooleanSupplier draining;

    AccessLog(String tunnel, BooleanSupplier draining) {
        this.tunnel = tunnel;
        this.draining = draining;
    }

    @Override
    public void closed(Connection user, MuxStream stream, How how, ErrorCode code, String reason) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        long nanos = System.nanoTime() - stream.openedNanos();
        log(stream.id(), user.remoteAddress(), stream.bytesSent(), stream.bytesReceived(), nanos,
                ending(user, stream, how, code), how == How.RESET ? code + " " + reason : null);
    }

    /** The one place the ending is decided, from what the bridge saw and what only the end knows. */
    private Ending ending(Connection user, MuxStream stream, How how, ErrorCode code) {
        if (SocketWatch.closedIdle(user)) {
            return Ending.IDLE_TIMEOUT;
        }
        return switch (how) {
            case USER_FIN_FIRST -> Ending.CLOSED_BY_USER;
            case UPSTREAM_FIN_FIRST -> Ending.CLOSED_BY_UPSTREAM;
            case SOCKET_GONE -> Ending.RESET_BY_USER;
            case RESET -> code == ErrorCode.SESSION_CLOSED ? draining.getAsBoolean() ? Ending.DRAIN : Ending.AGENT_LOST
                    : stream.isEstablished() ? Ending.RESET : Ending.UPSTREAM_REFUSED;
        };
    }

    /** A user no session took; {@code stopping}: because this end is shutting down. */
    void turnedAway(SocketAddress user, boolean stopping) {
        if (LOG.isInfoEnabled()) {
            log(0, user, 0, 0, 0, stopping ? Ending.DRAIN : Ending.NO_AGENT, null);
        }
    }

    private void log(int stream, SocketAddress user, long up, long down, long nanos, Ending ending, String reason) {
        StringBuilder line = new StringBuilder(160).append("tunnel=").append(tunnel);
        if (stream > 0) {
            line.append(" stream=").append(stream);
        }
        line.append(" source=").append(Connection.describe(user)).append(" up=").append(up).append(" down=")
                .append(down).append(" duration_ms=").append(TimeUnit.NANOSECONDS.toMillis(nanos)).append(" end=")
                .append(ending.label());
        if (reason != null) {
            quoted(line.append(" reason="), reason);
        }
        LOG.info(line);
    }

    /**
     * The reason comes from the agent (its OPEN_FAILED text): quoted, with quotes, backslashes and control
     * characters escaped, so that it can neither end the field nor start a line of its own.
     */
    private static void quoted(StringBuilder line, String text) {
        line.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                line.append(' ');
            } else {
                line.append(c);
            }
        }
        line.append('"');
    }
}
