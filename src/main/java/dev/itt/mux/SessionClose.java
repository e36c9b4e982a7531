package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import java.util.Locale;

/**
 * Why an established session ended, as the {@code reason} of {@code itt_sessions_closed_total}. Decided in one
 * place, as the session closes ({@link Session#close}); a session that ends in its handshake counts as a
 * {@link HandshakeFailure} instead.
 */
public enum SessionClose {
    /** This end said GO_AWAY (stopping, or stream ids used up) and the session drained or its drain time ran out. */
    SHUTDOWN,
    /** The peer said GO_AWAY without an error (it is stopping) and the session then ended. */
    GO_AWAY,
    /** The connection closed, or broke, without a GO_AWAY: the peer's process or the network went away. */
    PEER_CLOSED,
    /** The peer went silent past {@code keep-alive-timeout}, or stopped reading what this end sends. */
    DEAD_PEER,
    /** The peer exceeded a rate or queue limit (ENHANCE_YOUR_CALM, docs/PROTOCOL.md §8). */
    FLOOD,
    /** The peer broke a rule of the protocol: this end sent GO_AWAY with the error. */
    PROTOCOL_ERROR,
    /** The peer ended the session with GO_AWAY carrying an error code. */
    PEER_ERROR;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** How metrics show it: {@code peer-closed}. */
    public String label() {
        return label;
    }

    /**
     * Why a session that was open ended with {@code code}, from what it knows at its close.
     *
     * @param peerStoppedReading the peer left our frames unread past the write timeout or the queue limit
     * @param endedByPeer the peer's GO_AWAY ended it
     * @param transportClosed the connection is gone (closed by the peer, or broken)
     * @param goAwaySent this end said GO_AWAY
     * @param goAwayReceived the peer said GO_AWAY
     */
    static SessionClose of(ErrorCode code, boolean peerStoppedReading, boolean endedByPeer, boolean transportClosed,
            boolean goAwaySent, boolean goAwayReceived) {
        if (endedByPeer) { // whatever its code says of us: the peer's judgement, not ours
            return code == ErrorCode.NO_ERROR ? GO_AWAY : PEER_ERROR;
        }
        if (peerStoppedReading || code == ErrorCode.KEEPALIVE_TIMEOUT) {
            return DEAD_PEER;
        }
        if (transportClosed) {
            return goAwaySent ? SHUTDOWN : goAwayReceived ? GO_AWAY : PEER_CLOSED;
        }
        return switch (code) {
            case NO_ERROR -> goAwayReceived && !goAwaySent ? GO_AWAY : SHUTDOWN;
            case ENHANCE_YOUR_CALM -> FLOOD;
            default -> PROTOCOL_ERROR;
        };
    }
}
