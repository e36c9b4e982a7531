package dev.itt.legacy;

/** Every number of the seed's version-5 wire format (LEGACY-PROTOCOL.md, summarised in docs/LEGACY.md). */
final class LegacyWire {
    private LegacyWire() {}

    static final int VERSION = 5;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_IPV6 = 4;
    /** version, command, reserved, address type. */
    static final int HEAD = 4;
    static final int PORT = 2;
    static final int LENGTH = 4;

    // server -> agent
    static final int CONNECT = 1;
    static final int SEND = 4;
    static final int CLOSE_NOTIFY = 5;

    // agent -> server
    static final int SUCCESS = 0;
    static final int GENERAL_FAILURE = 1;
    static final int NETWORK_UNREACHABLE = 3;
    static final int HOST_UNREACHABLE = 4;
    static final int CONNECTION_REFUSED = 5;
    static final int CONN_CLOSE = 254;
    static final int PACKET = 255;
}
