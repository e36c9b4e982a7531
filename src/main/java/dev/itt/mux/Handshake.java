package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameType;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The native handshake of one session (docs/PROTOCOL.md §4): which frame may come next, the server's nonce, and
 * the checks of version, tunnel name and token. Each step returns the frame to send in reply, if any; the session
 * sends it, opens after WELCOME, and from then on refuses handshake frames itself. Owned by the session, on its
 * event loop.
 */
final class Handshake {
    private final Role role;
    private final SessionConfig config;
    private final Codec codec;
    private FrameType expected;
    private byte[] nonce;

    Handshake(Role role, SessionConfig config, Codec codec) {
        this.role = role;
        this.config = config;
        this.codec = codec;
    }

    /** The agent's HELLO, or null for the server, which waits for one. */
    ByteBuf start(ByteBufAllocator alloc) {
        if (role == Role.AGENT) {
            expected = FrameType.CHALLENGE;
            return codec.hello(alloc, config.tunnel());
        }
        expected = FrameType.HELLO;
        return null;
    }

    /** Server: a supported version and this tunnel's name earn a CHALLENGE with a fresh nonce. */
    ByteBuf onHello(ByteBufAllocator alloc, int version, String tunnel) throws MuxException {
        expect(FrameType.HELLO);
        if (version != WireConstants.VERSION) {
            throw MuxException.connectionError(ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version %d is not supported; this server speaks %d", version, WireConstants.VERSION);
        }
        if (!tunnel.equals(config.tunnel())) {
            throw MuxException.connectionError(
                    ErrorCode.UNKNOWN_TUNNEL, "tunnel '%s' is not served on this port", tunnel);
        }
        nonce = Authenticator.nonce();
        expected = FrameType.AUTH;
        return codec.challenge(alloc, nonce);
    }

    /** Agent: the answer to the server's nonce, keyed by the token (which never crosses the wire). */
    ByteBuf onChallenge(ByteBufAllocator alloc, byte[] challenge) throws MuxException {
        expect(FrameType.CHALLENGE);
        expected = FrameType.WELCOME;
        return codec.auth(alloc, Authenticator.answer(config.token(), challenge, config.tunnel()));
    }

    /** Server: a right answer (or none needed, without a token) earns WELCOME, and the handshake is done. */
    ByteBuf onAuth(ByteBufAllocator alloc, byte[] mac) throws MuxException {
        expect(FrameType.AUTH);
        String token = config.token();
        if (token != null && !token.isEmpty()) {
            if (mac.length == 0) {
                throw MuxException.connectionError(ErrorCode.AUTH_FAILED, "this tunnel requires a token");
            }
            if (!Authenticator.verify(token, nonce, config.tunnel(), mac)) {
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

    private void finish() {
        expected = null;
        nonce = null;
    }

    private void expect(FrameType type) throws MuxException {
        if (expected != type) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "unexpected %s (expected %s)", type, expected);
        }
    }
}
