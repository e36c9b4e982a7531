package dev.itt.mux;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.itt.mux.wire.WireConstants;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake's proofs (docs/PROTOCOL.md §4.2): HMAC-SHA256, keyed with a token's {@link AuthKey}, over a label
 * that says which end proves, both ends' fresh nonces and the tunnel name. A proof answers only the two nonces it
 * was made over, so none can be replayed, and one end's proof is never the other's.
 */
final class Authenticator {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] SERVER = "itt/2 server proof".getBytes(UTF_8);
    private static final byte[] AGENT = "itt/2 agent proof".getBytes(UTF_8);

    private Authenticator() {}

    static byte[] nonce() {
        byte[] nonce = new byte[WireConstants.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** What the server end sends in CHALLENGE to show it holds {@code key}. */
    static byte[] serverProof(AuthKey key, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        return mac(key, SERVER, tunnel, agentNonce, serverNonce);
    }

    /** What the agent sends in AUTH to show it holds {@code key}. */
    static byte[] agentProof(AuthKey key, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        return mac(key, AGENT, tunnel, agentNonce, serverNonce);
    }

    /** Constant-time comparison of a proof received with the one expected. */
    static boolean matches(byte[] expected, byte[] received) {
        return received.length == WireConstants.MAC_LENGTH && MessageDigest.isEqual(expected, received);
    }

    private static byte[] mac(AuthKey key, byte[] label, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
            mac.update(label);
            mac.update((byte) 0);
            mac.update(agentNonce);
            mac.update(serverNonce);
            return mac.doFinal(tunnel.getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
