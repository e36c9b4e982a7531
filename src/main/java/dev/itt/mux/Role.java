package dev.itt.mux;

/** Which end of a session this is. Only the server end opens streams (docs/PROTOCOL.md §4). */
public enum Role {
    /** Accepts users, opens streams, answers the agent's HELLO with a challenge. */
    SERVER,
    /** Dials the server, accepts streams and dials the upstream for each. */
    AGENT
}
