package dev.itt.mux;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.itt.mux.wire.WireConstants;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake's challenge–response (docs/PROTOCOL.md §4.2): the answer is HMAC-SHA256 keyed with the shared
 * token over the server's fresh nonce followed by the tunnel name. The token never crosses the wire and a
 * recorded answer is useless against the next nonce.
 */
final class Authenticator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Authenticator() {}

    static byte[] nonce() {
        byte[] nonce = new byte[WireConstants.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The agent's answer: the MAC, or an empty array when the agent has no token. */
    static byte[] answer(String token, byte[] nonce, String tunnel) {
        if (token == null || token.isEmpty()) {
            return new byte[0];
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(UTF_8), "HmacSHA256"));
            mac.update(nonce);
            return mac.doFinal(tunnel.getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time check of an agent's answer. */
    static boolean verify(String token, byte[] nonce, String tunnel, byte[] answer) {
        return answer.length == WireConstants.MAC_LENGTH
                && MessageDigest.isEqual(answer(token, nonce, tunnel), answer);
    }
}
