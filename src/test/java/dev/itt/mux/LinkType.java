package dev.itt.mux;

/** The kinds of connection a session scenario runs over (see {@link OverEveryLink}). */
enum LinkType {
    PIPE("an in-memory pipe") {
        @Override
        Link start(SessionConfig server, SessionConfig agent) {
            return new PipeLink(server, agent).start();
        }
    },
    TCP("loopback TCP") {
        @Override
        Link start(SessionConfig server, SessionConfig agent) {
            return new TcpLink(server, agent).start();
        }
    };

    private final String description;

    LinkType(String description) {
        this.description = description;
    }

    /** Two sessions over this kind of connection, their handshake run to its end. */
    abstract Link start(SessionConfig server, SessionConfig agent);

    @Override
    public String toString() {
        return description;
    }
}
