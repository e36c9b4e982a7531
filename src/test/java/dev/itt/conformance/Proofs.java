package dev.itt.conformance;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key and the proofs of docs/PROTOCOL.md §4.2, written from the spec with the JDK's own PBKDF2 and HMAC and
 * sharing no code with the implementation, so that a case can play either end's part of the authentication.
 */
final class Proofs {
    private Proofs() {}

    static byte[] key(String token, String tunnel) {
        try {
            char[] password = token.toCharArray(); // the JDK's PBKDF2 encodes it as UTF-8
            byte[] salt = concat(("itt/2 ").getBytes(US_ASCII), tunnel.getBytes(UTF_8));
            PBEKeySpec spec = new PBEKeySpec(password, salt, 20_000, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] serverProof(byte[] key, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        return proof(key, "itt/2 server proof", tunnel, agentNonce, serverNonce);
    }

    static byte[] agentProof(byte[] key, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        return proof(key, "itt/2 agent proof", tunnel, agentNonce, serverNonce);
    }

    private static byte[] proof(byte[] key, String label, String tunnel, byte[] agentNonce, byte[] serverNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label.getBytes(US_ASCII));
            mac.update((byte) 0);
            mac.update(agentNonce);
            mac.update(serverNonce);
            mac.update(tunnel.getBytes(UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }
}
