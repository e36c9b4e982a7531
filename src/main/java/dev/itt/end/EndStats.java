package dev.itt.end;

import dev.itt.mux.Tally;

/**
 * What a tunnel end reports to health and metrics: a snapshot its event loop publishes (every tick and on every
 * session's start and end), so that other threads never read session state.
 *
 * @param agents sessions whose handshake is done (the agents a server end serves; 0 or 1 at an agent)
 * @param acceptingAgents those of them that take new streams: neither end has said GO_AWAY
 * @param activeStreams streams open on those sessions
 * @param bufferedBytes bytes held for streams: queued for the peer's credit plus received and not yet delivered
 * @param peakBufferedBytes the most any one live session has held
 * @param takenNanos when the loop took it ({@link System#nanoTime()}), so a reader can tell a fresh one
 * @param loop the name of the event loop's thread that took it while the end's once-a-second tick runs, so a
 *     stale snapshot names the loop that stopped answering; null before the tick starts and after it stops
 * @param totals what every session of the end has done since it started, those that ended included: bytes,
 *     streams opened and failed, sessions opened and closed, failed handshakes
 */
public record EndStats(int agents, int acceptingAgents, int activeStreams, long bufferedBytes,
        long peakBufferedBytes, long takenNanos, String loop, Tally.Totals totals) {
    /** What an end reports before it has any session. */
    static EndStats none() {
        return new EndStats(0, 0, 0, 0, 0, System.nanoTime(), null, Tally.Totals.NONE);
    }
}
