package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;

/**
 * Receives each complete frame the {@link FrameDecoder} reads, one callback per type. A listener may throw
 * {@link MuxException} to reject a frame that is well formed but illegal in the session's state.
 */
public interface FrameListener {
    /** A DATA payload; the listener owns the (retained) buffer and must release or pass it on. */
    void onData(int streamId, ByteBuf payload) throws MuxException;

    void onWindowUpdate(int streamId, int increment) throws MuxException;

    /** {@code addresses}: the user's, or null when the OPEN carries none (PROTOCOL.md §3). */
    void onOpen(int streamId, UserAddresses addresses) throws MuxException;

    void onOpenOk(int streamId) throws MuxException;

    void onOpenFailed(int streamId, ErrorCode code, String reason) throws MuxException;

    void onFin(int streamId) throws MuxException;

    void onReset(int streamId, ErrorCode code) throws MuxException;

    void onPing(boolean ack, long payload) throws MuxException;

    void onGoAway(int lastStreamId, ErrorCode code, String reason) throws MuxException;

    /**
     * {@code nonce} is the agent's, or empty from a version-1 peer; {@code asksAddresses}, its ADDRESSES flag: it
     * wants the user's addresses in OPEN.
     */
    void onHello(int version, String tunnel, byte[] nonce, boolean asksAddresses) throws MuxException;

    /** {@code proofs}: the server end's, 32 bytes each, none when it has no token. */
    void onChallenge(byte[] nonce, byte[] proofs) throws MuxException;

    void onAuth(byte[] proof) throws MuxException;

    void onWelcome() throws MuxException;
}
