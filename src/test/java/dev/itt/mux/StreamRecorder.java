package dev.itt.mux;

import dev.itt.mux.wire.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/** A stream's far side in tests: keeps what arrives, and consumes it at once unless told to hold it. */
final class StreamRecorder implements StreamHandler {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean consume = true;
    int held;
    boolean fin;
    boolean opened;
    ErrorCode reset;
    String resetReason;
    int writableCalls;

    @Override
    public void onData(MuxStream stream, ByteBuf data) {
        int n = data.readableBytes();
        byte[] bytes = new byte[n];
        data.readBytes(bytes);
        data.release();
        received.writeBytes(bytes);
        if (consume) {
            stream.consumed(n);
        } else {
            held += n;
        }
    }

    /** Consumes everything held so far, as a socket that drained would. */
    void drain(MuxStream stream) {
        consume = true;
        int n = held;
        held = 0;
        stream.consumed(n);
    }

    @Override
    public void onFin(MuxStream stream) {
        fin = true;
    }

    @Override
    public void onReset(MuxStream stream, ErrorCode code, String reason) {
        reset = code;
        resetReason = reason;
    }

    @Override
    public void onWritable(MuxStream stream) {
        writableCalls++;
    }

    @Override
    public void onOpened(MuxStream stream) {
        opened = true;
    }
}
