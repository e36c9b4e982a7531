package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.UserAddresses;
import java.util.ArrayList;
import java.util.List;

/** A session's owner in tests: records events; as an agent it accepts every stream unless told otherwise. */
final class SessionRecorder implements SessionHandler {
    boolean established;
    ErrorCode closedCode;
    String closedReason;
    ErrorCode goAwayCode;
    final List<MuxStream> streams = new ArrayList<>();
    final List<StreamRecorder> recorders = new ArrayList<>();
    /** Agent: the addresses each OPEN carried, in order; null for an OPEN without them. */
    final List<UserAddresses> opened = new ArrayList<>();
    /** Agent: accept streams at once; false leaves them pending (the "upstream dial" has not finished). */
    boolean acceptAtOnce = true;

    @Override
    public void onEstablished(Session session) {
        established = true;
    }

    @Override
    public void onStreamOpened(Session session, MuxStream stream, UserAddresses addresses) {
        opened.add(addresses);
        streams.add(stream);
        if (acceptAtOnce) {
            attach(stream);
            stream.accept();
        }
    }

    StreamRecorder attach(MuxStream stream) {
        StreamRecorder r = new StreamRecorder();
        recorders.add(r);
        stream.handler(r);
        return r;
    }

    @Override
    public void onGoAway(Session session, ErrorCode code, String reason) {
        goAwayCode = code;
    }

    @Override
    public void onClosed(Session session, ErrorCode code, String reason) {
        closedCode = code;
        closedReason = reason;
    }
}
