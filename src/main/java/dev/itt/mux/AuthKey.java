package dev.itt.mux;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The key one token gives one tunnel (docs/PROTOCOL.md §4.2): PBKDF2-HMAC-SHA256 of the token, salted with the
 * tunnel name. The stretching makes each guess of a weak token from a recorded handshake cost as much as
 * {@value #ITERATIONS} HMACs; it also makes a derivation take milliseconds, so keys are derived when tokens are
 * read, never on an event loop. Never printed.
 */
public final class AuthKey {
    /** PROTOCOL.md §4.2; changing it changes the protocol. */
    public static final int ITERATIONS = 20_000;

    private final byte[] key;

    private AuthKey(byte[] key) {
        this.key = key;
    }

    public static AuthKey derive(String token, String tunnel) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("an empty token gives no key");
        }
        char[] password = token.toCharArray();
        byte[] salt = ("itt/2 " + tunnel).getBytes(UTF_8);
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, 256);
            try {
                return new AuthKey(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded());
            } finally {
                spec.clearPassword();
                Arrays.fill(password, '\0');
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    byte[] bytes() {
        return key;
    }

    /** Keys of the same token and tunnel are equal (compared in constant time). */
    @Override
    public boolean equals(Object o) {
        return o instanceof AuthKey k && MessageDigest.isEqual(key, k.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "AuthKey[****]";
    }
}
