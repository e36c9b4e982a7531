package dev.itt.mux;

/**
 * Flow control for a wire format without credit: the session reads the connection while it holds at most its
 * session window for slow sockets, stops above it, and starts again once it is down to half. Nothing limits what
 * may be sent, except the transport's own write queue; and a server end holds a user's bytes until the agent has
 * confirmed the open, since there is no window for the agent to hold them in.
 */
final class PausedReads implements FlowControl {
    private final Session session;
    private final ReadSwitch reads;
    private final long budget;
    private boolean paused;

    PausedReads(Session session, ReadSwitch reads) {
        this.session = session;
        this.reads = reads;
        this.budget = session.config().sessionWindow();
    }

    @Override
    public void established() {}

    @Override
    public void receiving(int streamId, int bytes) {}

    @Override
    public void receiving(MuxStream stream, int bytes) {
        if (!paused && session.bufferedBytes() + bytes > budget) {
            paused = true;
            reads.pauseReading();
        }
    }

    @Override
    public void consumed(MuxStream stream, int bytes) {
        resumeIfDrained();
    }

    @Override
    public void dropped(int bytes) {
        resumeIfDrained();
    }

    private void resumeIfDrained() {
        if (paused && session.bufferedBytes() <= budget / 2) {
            paused = false;
            reads.resumeReading();
        }
    }

    @Override
    public boolean sendsBeforeOpened() {
        return false;
    }

    @Override
    public long sessionCredit() {
        return Long.MAX_VALUE;
    }

    @Override
    public long streamCredit(MuxStream stream) {
        return Long.MAX_VALUE;
    }

    @Override
    public void sent(MuxStream stream, int bytes) {}

    @Override
    public void granted(int increment) {}
}
