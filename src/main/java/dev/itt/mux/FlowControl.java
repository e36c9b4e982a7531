package dev.itt.mux;

import dev.itt.mux.wire.MuxException;

/**
 * A session's flow control, both ways: what the receive side does as bytes arrive and leave, and how much the
 * send side may put on the wire. One per session, on its thread; built from the wire format's {@link Flow}.
 */
interface FlowControl {
    static FlowControl of(Flow flow, Session session) {
        if (flow instanceof Flow.PauseReading p) {
            return new PausedReads(session, p.reads());
        }
        return new CreditFlow(session);
    }

    /** The handshake is done: announce the receive budget. */
    void established();

    /** A DATA frame of {@code bytes} arrived on the session, whatever its stream. */
    void receiving(int streamId, int bytes) throws MuxException;

    /** ... and it is for {@code stream}, which will hold it until its socket takes it. */
    void receiving(MuxStream stream, int bytes) throws MuxException;

    /** The local socket took {@code bytes} of what {@code stream} held. */
    void consumed(MuxStream stream, int bytes);

    /** Received bytes that no socket will take (the stream is gone). */
    void dropped(int bytes);

    /** May bytes queued on the stream go out before the peer confirmed the open? */
    boolean sendsBeforeOpened();

    /** How much the session as a whole may still send. */
    long sessionCredit();

    /** How much {@code stream} may still send, ignoring the session's limit. */
    long streamCredit(MuxStream stream);

    /** {@code bytes} of the stream's went out. */
    void sent(MuxStream stream, int bytes);

    /** The peer granted session-wide credit. */
    void granted(int increment) throws MuxException;
}
