package dev.itt.config;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Tokens as the configuration knows them: a new random one ({@code itt token}), the lines of a token file, and the
 * start-up warning about a weak one. Nothing here puts a token into a message: problems name the file and line.
 */
public final class Tokens {
    /** Bits of randomness below which a token gets a warning, and the size {@link #generate()} draws. */
    public static final int MIN_BITS = 128;

    /** Tokens one tunnel may hold: a CHALLENGE carries one proof for each. */
    public static final int MAX_TOKENS = dev.itt.mux.wire.WireConstants.MAX_PROOFS;

    private static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    /** 256 random bits from {@link SecureRandom}, URL-safe base64 without padding: 43 characters. */
    public static String generate() {
        byte[] bytes = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The tokens of a token file: one per line, surrounding whitespace trimmed, blank lines and lines whose first
     * non-blank character is {@code #} skipped. At most {@code max}.
     *
     * @throws IllegalArgumentException naming the file (never its contents) when it cannot be read, holds no
     *     token or too many
     */
    public static List<String> read(Path file, int max) {
        return parse(file, bytes(file), max);
    }

    /** The file's bytes; an {@link IllegalArgumentException} naming the file when it cannot be read. */
    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    static List<String> parse(Path file, byte[] bytes, int max) {
        List<String> tokens = new ArrayList<>();
        for (String line : new String(bytes, UTF_8).split("\r?\n|\r")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                tokens.add(t);
            }
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("'" + file + "' holds no token (blank lines and # comments only)");
        }
        if (tokens.size() > max) {
            throw new IllegalArgumentException("'" + file + "' holds " + tokens.size() + " tokens; at most " + max
                    + " are accepted (one proof each in the handshake)");
        }
        return List.copyOf(tokens);
    }

    static IllegalArgumentException unreadable(Path file, IOException e) {
        return new IllegalArgumentException("cannot read '" + file + "': " + reason(e));
    }

    /** The error without its message, which could in principle quote more than the path. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Why a token looks guessable, or empty. The estimate is an upper bound: length times log2 of the size of the
     * character classes it uses (a–z 26, A–Z 26, 0–9 10, other printable ASCII 33, anything else 128), as if every
     * character were drawn at random from them. It is under {@value #MIN_BITS} bits for fewer than 20 characters
     * of any mix of printable ASCII, 22 letters and digits, 28 lower-case letters or 39 digits. A token that repeats a few
     * characters (fewer than 8 distinct ones) is weak whatever its length. A random token from {@link #generate()}
     * estimates at 256 bits or more and never warns; a long passphrase may pass the estimate without being random.
     */
    public static Optional<String> weakness(String token) {
        int pool = 0;
        boolean lower = false;
        boolean upper = false;
        boolean digit = false;
        boolean symbol = false;
        boolean other = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= 'a' && c <= 'z') {
                lower = true;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c >= ' ' && c <= '~') {
                symbol = true;
            } else {
                other = true;
            }
        }
        pool += lower ? 26 : 0;
        pool += upper ? 26 : 0;
        pool += digit ? 10 : 0;
        pool += symbol ? 33 : 0;
        pool += other ? 128 : 0;
        long distinct = token.chars().distinct().count();
        if (distinct < 8) {
            return Optional.of("it repeats only " + distinct + " distinct characters, so it is not random;"
                    + " make a new one with 'itt token'");
        }
        int bits = (int) Math.floor(token.length() * Math.log(pool) / Math.log(2));
        if (bits < MIN_BITS) {
            return Optional.of(token.length() + " characters from a set of " + pool + " carry at most " + bits
                    + " bits of randomness, fewer than " + MIN_BITS + ", so a recorded handshake lets it be"
                    + " guessed offline; make a new one with 'itt token'");
        }
        return Optional.empty();
    }
}
