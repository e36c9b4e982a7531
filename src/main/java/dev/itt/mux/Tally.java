package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import java.util.function.LongConsumer;

/**
 * What the sessions of one end have done since it started: DATA bytes each way, streams opened and failed,
 * sessions opened and closed, failed handshakes. Plain fields, counted on the event loop that all of those
 * sessions share (one tally is handed to each of them), so a session that ends leaves its counts behind; other
 * threads read the {@link Totals} that the owner publishes. Nothing here allocates.
 */
public final class Tally {
    private static final LongConsumer IGNORE = nanos -> { };

    private long bytesSent;
    private long bytesReceived;
    private long streamsOpened;
    private long sessionsOpened;
    private final long[] streamsFailed = new long[StreamFailure.values().length];
    private final long[] sessionsClosed = new long[SessionClose.values().length];
    private final long[] handshakeFailures = new long[HandshakeFailure.values().length];
    /** Hears each stream's OPEN-to-OPEN_OK time; set from another thread before the end starts. */
    private volatile LongConsumer openTimes = IGNORE;

    /**
     * Sends each established stream's OPEN-to-OPEN_OK time, in nanoseconds, to {@code times}, on the loop: once
     * per stream, never per frame. Null stops it.
     */
    public void recordOpenTimes(LongConsumer times) {
        openTimes = times == null ? IGNORE : times;
    }

    void sent(int bytes) {
        bytesSent += bytes;
    }

    void received(int bytes) {
        bytesReceived += bytes;
    }

    void streamOpened(long openNanos) {
        streamsOpened++;
        openTimes.accept(openNanos);
    }

    /** A stream ended with {@code code}: a failure unless it is NO_ERROR. */
    void streamEnded(ErrorCode code) {
        StreamFailure failure = StreamFailure.of(code);
        if (failure != null) {
            streamFailed(failure);
        }
    }

    /** A stream failed (or, for {@link StreamFailure#NO_AGENT}, could not be made); on the loop. */
    public void streamFailed(StreamFailure failure) {
        streamsFailed[failure.ordinal()]++;
    }

    void sessionOpened() {
        sessionsOpened++;
    }

    void sessionClosed(SessionClose reason) {
        sessionsClosed[reason.ordinal()]++;
    }

    /** A tunnel connection failed its handshake (for {@link HandshakeFailure#TLS}, before it had a session). */
    public void handshakeFailed(HandshakeFailure reason) {
        handshakeFailures[reason.ordinal()]++;
    }

    /** A copy for other threads, with bytes named by direction: up is what {@code role} carries user to upstream. */
    public Totals totals(Role role) {
        boolean server = role == Role.SERVER;
        return new Totals(server ? bytesSent : bytesReceived, server ? bytesReceived : bytesSent, streamsOpened,
                sessionsOpened, streamsFailed.clone(), sessionsClosed.clone(), handshakeFailures.clone());
    }

    /**
     * The counts of a {@link Tally} at one moment. A record, so that a dev-mode restart can carry it across class
     * loaders as it does {@code EndStats}; its arrays are copies, indexed by the reasons' ordinals, not to be
     * changed: read them through the methods that take a reason.
     *
     * @param bytesUp DATA bytes from users toward the upstream
     * @param bytesDown DATA bytes from the upstream toward users
     * @param streamsOpened streams whose open succeeded (OPEN_OK)
     * @param sessionsOpened sessions whose handshake completed (at once, for a format without one)
     */
    public record Totals(long bytesUp, long bytesDown, long streamsOpened, long sessionsOpened, long[] streamsFailed,
            long[] sessionsClosed, long[] handshakeFailures) {
        /** Before anything happened. */
        public static final Totals NONE = new Tally().totals(Role.SERVER);

        public long streamsFailed(StreamFailure reason) {
            return streamsFailed[reason.ordinal()];
        }

        public long sessionsClosed(SessionClose reason) {
            return sessionsClosed[reason.ordinal()];
        }

        public long handshakeFailures(HandshakeFailure reason) {
            return handshakeFailures[reason.ordinal()];
        }
    }
}
