package dev.itt.end;

import dev.itt.mux.Session;
import java.util.List;

/**
 * The live session with the fewest open streams, so load follows what each agent carries now rather than how many
 * streams it was ever given.
 *
 * <p>Ties go round-robin: the scan starts one past the last pick and keeps the first of the fewest it meets, so
 * equals take turns in list order. Keeping the first in list order instead would hand every short-lived user (each
 * gone before the next comes, so every count is back at 0) to the oldest session; "longest since its last stream"
 * would be as fair but needs a time per session kept beside {@link Session}, where this needs one int.
 */
final class FewestStreams implements SessionPicker {
    /** Where the next scan starts; taken modulo the list's size, which changes as sessions come and go. */
    private int next;

    @Override
    public Session pick(List<Session> sessions) {
        int n = sessions.size();
        Session best = null;
        int bestAt = 0;
        for (int i = 0; i < n; i++) {
            int at = (next + i) % n;
            Session s = sessions.get(at);
            if (s.acceptsStreams() && (best == null || s.streamCount() < best.streamCount())) {
                best = s;
                bestAt = at;
            }
        }
        if (best != null) {
            next = bestAt + 1;
        }
        return best;
    }
}
