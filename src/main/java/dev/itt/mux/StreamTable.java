package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's streams by id, and the id rules of docs/PROTOCOL.md §5.1: the server end opens ids upward from 1,
 * the agent takes only ids above the last it saw, and a frame may name a stream that is gone, but never one that
 * was not opened. On the session's thread only.
 */
final class StreamTable {
    private final Role role;
    private final SessionConfig config;
    private final IntObjectHashMap<MuxStream> streams = new IntObjectHashMap<>();
    private int nextStreamId = 1;
    private int lastPeerStreamId;

    StreamTable(Role role, SessionConfig config) {
        this.role = role;
        this.config = config;
    }

    MuxStream get(int id) {
        return streams.get(id);
    }

    int size() {
        return streams.size();
    }

    boolean isEmpty() {
        return streams.isEmpty();
    }

    /** A copy, for closing every stream while the table changes under the loop. */
    List<MuxStream> all() {
        return new ArrayList<>(streams.values());
    }

    int lastPeerStreamId() {
        return lastPeerStreamId;
    }

    boolean isFull() {
        return streams.size() >= config.maxStreams();
    }

    /** Server: every id below 2^31-1 has been used (§5.1). */
    boolean idsExhausted() {
        return nextStreamId == WireConstants.MAX_STREAM_ID;
    }

    /** Server: a new stream under the next id. */
    MuxStream openNext(Session session) {
        return add(session, nextStreamId++);
    }

    /** Agent: the peer's OPEN of {@code id}, which must be above every id before it. */
    void checkPeerOpen(int id) throws MuxException {
        if (id <= lastPeerStreamId) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "OPEN of stream %d, not above the last (%d)", id, lastPeerStreamId);
        }
        lastPeerStreamId = id;
    }

    /**
     * Agent: the peer's new stream, waiting for its upstream until it is accepted or refused. How many upstream dials
     * run at once is the agent end's business (max-pending-opens, PROTOCOL.md [8-3]): the rest wait there.
     */
    MuxStream acceptPeer(Session session, int id) {
        return add(session, id);
    }

    /** Removes a stream; false if it was not here. */
    boolean remove(MuxStream s) {
        return streams.remove(s.id()) != null;
    }

    /** A frame for a stream we do not hold: fine if the stream existed (it raced its close), an error if not. */
    void requireOpenedOnce(int id, FrameType type) throws MuxException {
        boolean existed = role == Role.SERVER ? id < nextStreamId : id <= lastPeerStreamId;
        if (!existed) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "%s on stream %d, which was never opened", type, id);
        }
    }

    private MuxStream add(Session session, int id) {
        MuxStream s = new MuxStream(session, id, WireConstants.INITIAL_STREAM_WINDOW, config.maxStreamWindow());
        streams.put(id, s);
        return s;
    }
}
