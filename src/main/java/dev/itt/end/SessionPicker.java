package dev.itt.end;

import dev.itt.mux.Session;
import java.util.List;

/**
 * Which session a new user's stream goes to: the one decision {@link SessionGroup#open} hands off. Runs on the
 * group's loop, like the sessions it reads, so it may keep plain fields.
 */
interface SessionPicker {
    /**
     * One of {@code sessions} that {@link Session#acceptsStreams() accepts streams} (established, no GO_AWAY either
     * way), or null if none does.
     */
    Session pick(List<Session> sessions);
}
