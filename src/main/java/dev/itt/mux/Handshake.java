package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * The native handshake of one session (docs/PROTOCOL.md §4): which frame may come next, both ends' nonces, the
 * checks of version and tunnel name, and the proofs both ways, the server end's first. Each step returns the frame
 * to send in reply, if any; the session sends it, opens after WELCOME, and from then on refuses handshake frames
 * itself. Owned by the session, on its event loop.
 */
final class Handshake {
    private final Role role;
    private final SessionConfig config;
    private final Codec codec;
    private FrameType expected;
    private byte[] agentNonce;
    private byte[] serverNonce;
    /** The tokens' keys when this handshake began: a token file replaced meanwhile does not change them. */
    private List<AuthKey> keys;
    private long startedNanos;
    /** Server: the agent's HELLO set ADDRESSES, so each OPEN carries the user's addresses (PROTOCOL.md §5.2). */
    private boolean peerAsksAddresses;

    Handshake(Role role, SessionConfig config, Codec codec) {
        this.role = role;
        this.config = config;
        this.codec = codec;
    }

    /** The agent's HELLO, or null for the server, which waits for one. */
    ByteBuf start(ByteBufAllocator alloc, long nowNanos) {
        startedNanos = nowNanos;
        keys = config.credentials().keys();
        if (role == Role.AGENT) {
            expected = FrameType.CHALLENGE;
            agentNonce = Authenticator.nonce();
            return codec.hello(alloc, config.tunnel(), agentNonce, config.asksAddresses());
        }
        expected = FrameType.HELLO;
        return null;
    }

    /** Fails once the handshake has run longer than {@code handshake-timeout} (PROTOCOL.md §4.1). */
    void checkTime(long nowNanos) throws MuxException {
        if (nowNanos - startedNanos > config.handshakeTimeout().toNanos()) {
            throw MuxException.connectionError(ErrorCode.HANDSHAKE_TIMEOUT,
                    "handshake not completed within %d ms", config.handshakeTimeout().toMillis());
        }
    }

    /** Server: a supported version and this tunnel's name earn a CHALLENGE: a fresh nonce and our proofs. */
    ByteBuf onHello(ByteBufAllocator alloc, int version, String tunnel, byte[] nonce, boolean asksAddresses)
            throws MuxException {
        expect(FrameType.HELLO);
        if (version != WireConstants.VERSION) {
            throw MuxException.connectionError(ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version %d is not supported; this server speaks %d", version, WireConstants.VERSION);
        }
        if (!tunnel.equals(config.tunnel())) {
            throw MuxException.connectionError(
                    ErrorCode.UNKNOWN_TUNNEL, "tunnel '%s' is not served on this port", tunnel);
        }
        if (nonce.length != WireConstants.NONCE_LENGTH) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "HELLO without the agent's nonce");
        }
        agentNonce = nonce;
        peerAsksAddresses = asksAddresses;
        serverNonce = Authenticator.nonce();
        int count = Math.min(keys.size(), WireConstants.MAX_PROOFS); // the configuration refuses more
        byte[] proofs = new byte[count * WireConstants.MAC_LENGTH];
        for (int i = 0; i < count; i++) {
            byte[] proof = Authenticator.serverProof(keys.get(i), config.tunnel(), agentNonce, serverNonce);
            System.arraycopy(proof, 0, proofs, i * WireConstants.MAC_LENGTH, WireConstants.MAC_LENGTH);
        }
        expected = FrameType.AUTH;
        return codec.challenge(alloc, serverNonce, proofs);
    }

    /**
     * Agent: holding a token, it answers only a server end that proved it holds the same one; one that sent no
     * proof would let anyone in, and is refused too. Without a token there is nothing to check or to prove.
     */
    ByteBuf onChallenge(ByteBufAllocator alloc, byte[] nonce, byte[] proofs) throws MuxException {
        expect(FrameType.CHALLENGE);
        serverNonce = nonce;
        if (keys.isEmpty()) {
            expected = FrameType.WELCOME;
            return codec.auth(alloc, new byte[0]);
        }
        AuthKey key = keys.get(0);
        if (proofs.length == 0) {
            throw MuxException.connectionError(ErrorCode.AUTH_FAILED,
                    "the server end has no token, so it lets any agent in; this agent holds one: refusing it");
        }
        byte[] expectedProof = Authenticator.serverProof(key, config.tunnel(), agentNonce, serverNonce);
        if (!anyMatches(expectedProof, proofs)) {
            throw MuxException.connectionError(ErrorCode.AUTH_FAILED,
                    "the server end did not prove it holds this agent's token: refusing it");
        }
        expected = FrameType.WELCOME; // only now: a refused server end is never welcome, whatever comes next
        return codec.auth(alloc, Authenticator.agentProof(key, config.tunnel(), agentNonce, serverNonce));
    }

    /** Server: a right proof (or none needed, without a token) earns WELCOME, and the handshake is done. */
    ByteBuf onAuth(ByteBufAllocator alloc, byte[] proof) throws MuxException {
        expect(FrameType.AUTH);
        if (!keys.isEmpty()) {
            if (proof.length == 0) {
                throw MuxException.connectionError(ErrorCode.AUTH_FAILED, "this tunnel requires a token");
            }
            if (!acceptsAgentProof(proof)) {
                throw MuxException.connectionError(ErrorCode.AUTH_FAILED, "token does not match");
            }
        }
        finish();
        return codec.welcome(alloc);
    }

    /** Agent: the server let us in. */
    void onWelcome() throws MuxException {
        expect(FrameType.WELCOME);
        finish();
    }

    /** Server: whether the agent asked for the user's addresses in OPEN; kept after the handshake. */
    boolean peerAsksAddresses() {
        return peerAsksAddresses;
    }

    private boolean acceptsAgentProof(byte[] proof) {
        boolean matched = false;
        for (AuthKey key : keys) { // every key, matched or not: the time taken does not tell which one
            matched |= Authenticator.matches(
                    Authenticator.agentProof(key, config.tunnel(), agentNonce, serverNonce), proof);
        }
        return matched;
    }

    private static boolean anyMatches(byte[] expected, byte[] proofs) {
        boolean matched = false;
        for (int at = 0; at < proofs.length; at += WireConstants.MAC_LENGTH) {
            byte[] one = new byte[WireConstants.MAC_LENGTH];
            System.arraycopy(proofs, at, one, 0, one.length);
            matched |= Authenticator.matches(expected, one);
        }
        return matched;
    }

    private void finish() {
        expected = null;
        agentNonce = null;
        serverNonce = null;
        keys = null;
    }

    private void expect(FrameType type) throws MuxException {
        if (expected != type) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "unexpected %s (expected %s)", type, expected);
        }
    }
}
