package dev.itt.mux;

import java.util.List;

/**
 * The shared secrets a session proves and checks (docs/PROTOCOL.md §4.2), as keys derived from the tunnel's
 * tokens. Read on the session's thread when a handshake starts; an implementation may replace its keys from
 * another thread at any time (a token file that changed), so a handshake sees either the old set or the new one.
 */
public interface Credentials {
    /** The keys accepted now: an agent proves the first, a server end accepts any; empty without a token. */
    List<AuthKey> keys();

    /** No token: a server end lets every agent in, an agent answers every server end. */
    Credentials NONE = List::of;

    static Credentials none() {
        return NONE;
    }

    static Credentials of(List<AuthKey> keys) {
        List<AuthKey> copy = List.copyOf(keys);
        return () -> copy;
    }
}
