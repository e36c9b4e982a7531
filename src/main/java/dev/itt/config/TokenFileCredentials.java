package dev.itt.config;

import dev.itt.mux.AuthKey;
import dev.itt.mux.Credentials;
import dev.itt.mux.wire.WireConstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * A tunnel's {@code token-file}: the keys of the tokens it held when last read well. {@link #poll()} re-reads it
 * (from {@link FileWatcher}'s thread, never an event loop: deriving keys is slow on purpose) and swaps the
 * whole list at once, so a handshake sees the old tokens or the new ones; sessions already open are not touched.
 * A file that cannot be used any more is reported once and the tokens read before stay.
 */
public final class TokenFileCredentials implements Credentials, FileWatcher.Watched {
    private static final Logger LOG = Logger.getLogger(TokenFileCredentials.class);

    private final String key;
    private final String wireName;
    private final Path file;
    private volatile List<AuthKey> keys;
    /** What the last poll saw, good or bad (a content digest, or the read error): a change is acted on once. */
    private String seen;

    private TokenFileCredentials(String tunnel, String wireName, Path file) {
        this.key = "itt.tunnels." + tunnel + ".token-file";
        this.wireName = wireName;
        this.file = file;
    }

    /**
     * Reads the file now, for start-up.
     *
     * @throws IllegalArgumentException naming the path when the file cannot be read or holds no or too many tokens
     */
    static TokenFileCredentials load(String tunnel, String wireName, Path file) {
        TokenFileCredentials c = new TokenFileCredentials(tunnel, wireName, file);
        byte[] bytes = Tokens.bytes(file);
        c.keys = c.derive(Tokens.parse(file, bytes, WireConstants.MAX_PROOFS));
        c.seen = FileWatcher.fingerprint(bytes);
        return c;
    }

    @Override
    public List<AuthKey> keys() {
        return keys;
    }

    public Path file() {
        return file;
    }

    @Override
    public String files() {
        return "'" + file + "'";
    }

    /** Re-reads the file; true if it changed and its tokens replaced the old ones. */
    @Override
    public boolean poll() {
        String now;
        byte[] bytes = null;
        IllegalArgumentException unreadable = null;
        try {
            bytes = Files.readAllBytes(file);
            now = FileWatcher.fingerprint(bytes);
        } catch (IOException e) {
            unreadable = Tokens.unreadable(file, e);
            now = unreadable.getMessage();
        }
        if (now.equals(seen)) {
            return false;
        }
        seen = now;
        try {
            if (unreadable != null) {
                throw unreadable;
            }
            List<String> tokens = Tokens.parse(file, bytes, WireConstants.MAX_PROOFS);
            keys = derive(tokens);
            LOG.infof("%s: re-read '%s': %d token(s) accepted from now on", key, file, tokens.size());
            return true;
        } catch (IllegalArgumentException e) {
            LOG.errorf("%s: %s; the tokens read before stay in use until the file is fixed", key, e.getMessage());
            return false;
        }
    }

    private List<AuthKey> derive(List<String> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            int n = i + 1;
            Tokens.weakness(tokens.get(i)).ifPresent(why -> LOG.warnf("%s: token %d of '%s' is weak: %s", key, n,
                    file, why));
        }
        return tokens.stream().map(t -> AuthKey.derive(t, wireName)).toList();
    }

    @Override
    public String toString() {
        return "TokenFileCredentials[" + file + ", " + keys.size() + " token(s)]";
    }
}
