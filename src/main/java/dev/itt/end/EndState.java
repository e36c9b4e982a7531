package dev.itt.end;

import java.util.Locale;

/**
 * Where a tunnel end is in its life, as health shows it. Each end derives it from what it already tracks (bound
 * listeners, the agents its group counts, its session, the group's drain), so it is safe from any thread.
 */
public enum EndState {
    /** Created, not yet listening or dialing. */
    STARTING,
    /** Server end: both listeners bound, no agent with a session that takes new streams. */
    LISTENING,
    /** Server end: listening, and at least one agent has a session that takes new streams (no GO_AWAY). */
    AGENTS_CONNECTED,
    /** Agent: dialing the server end or waiting to redial; no session. */
    CONNECTING,
    /** Agent: a session with the server end, its handshake done. */
    SESSION_UP,
    /** Stopping: GO_AWAY sent, no new streams, open ones finishing. */
    DRAINING,
    /** Stopped: everything closed. */
    STOPPED;

    /** How health data shows it: {@code agents-connected}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
