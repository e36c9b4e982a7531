package dev.itt.mux.wire;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;

/**
 * Reads frames from whatever bytes arrived and hands each complete one to a {@link FrameListener}
 * (docs/PROTOCOL.md §2–§3). A frame split across reads is kept in a composite buffer, so DATA payloads are
 * retained slices of the received buffers, never copies. The header is checked before the payload is waited for,
 * so an oversized or malformed frame fails at once. After the first error the decoder stays failed.
 *
 * <p>Not thread-safe: one decoder per connection, used on that connection's event loop.
 */
public final class FrameDecoder {
    private final int maxPayload;
    private final Cumulation cumulation = new Cumulation();
    private boolean failed;

    public FrameDecoder() {
        this(WireConstants.MAX_PAYLOAD);
    }

    /** @param maxPayload the largest payload accepted, at most {@link WireConstants#MAX_PAYLOAD} */
    public FrameDecoder(int maxPayload) {
        if (maxPayload < 1 || maxPayload > WireConstants.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload " + maxPayload);
        }
        this.maxPayload = maxPayload;
    }

    /**
     * Decodes every complete frame in {@code in} (after any bytes kept from earlier calls). Takes ownership of
     * {@code in}. Throws the first protocol violation; the decoder then rejects all further input.
     */
    public void decode(ByteBuf in, FrameListener listener) throws MuxException {
        if (failed) {
            in.release();
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "decoder already failed");
        }
        ByteBuf buf = cumulation.append(in);
        try {
            while (readFrame(buf, listener)) {
                // one frame per turn
            }
        } catch (MuxException | RuntimeException e) {
            failed = true;
            cumulation.discard(buf);
            throw e;
        }
        cumulation.keepRemainder(buf);
    }

    /** Bytes received but not yet decoded (a partial frame). */
    public int pendingBytes() {
        return cumulation.pendingBytes();
    }

    /** Releases any partial frame kept; call when the connection is gone. */
    public void release() {
        cumulation.release();
    }

    private boolean readFrame(ByteBuf buf, FrameListener listener) throws MuxException {
        if (buf.readableBytes() < WireConstants.HEADER_LENGTH) {
            return false;
        }
        int start = buf.readerIndex();
        int length = buf.getUnsignedMedium(start);
        int typeCode = buf.getUnsignedByte(start + 3);
        int flags = buf.getUnsignedByte(start + 4);
        int streamId = buf.getInt(start + 5);
        FrameType type = verifyHeader(length, typeCode, streamId);
        if (buf.readableBytes() < WireConstants.HEADER_LENGTH + length) {
            return false;
        }
        buf.skipBytes(WireConstants.HEADER_LENGTH);
        int end = buf.readerIndex() + length;
        try {
            readPayload(type, flags, streamId, length, buf, listener);
        } finally {
            buf.readerIndex(end);
        }
        return true;
    }

    private FrameType verifyHeader(int length, int typeCode, int streamId) throws MuxException {
        if (length > maxPayload) {
            throw MuxException.connectionError(
                    ErrorCode.FRAME_SIZE_ERROR, "frame length %d exceeds max %d", length, maxPayload);
        }
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "unknown frame type 0x%02x", typeCode);
        }
        if (streamId < 0) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "%s frame has the reserved stream id bit set", type);
        }
        verifyScope(type, streamId);
        if (length < type.minLength() || length > type.maxLength()) {
            throw MuxException.connectionError(ErrorCode.FRAME_SIZE_ERROR,
                    "%s frame length %d outside %d..%d", type, length, type.minLength(), type.maxLength());
        }
        return type;
    }

    private static void verifyScope(FrameType type, int streamId) throws MuxException {
        switch (type.scope()) {
            case SESSION -> {
                if (streamId != 0) {
                    throw MuxException.connectionError(
                            ErrorCode.PROTOCOL_ERROR, "%s frame on stream %d, must be 0", type, streamId);
                }
            }
            case STREAM -> {
                if (streamId == 0) {
                    throw MuxException.connectionError(
                            ErrorCode.PROTOCOL_ERROR, "%s frame on stream 0, must name a stream", type);
                }
            }
            case EITHER -> {
                // WINDOW_UPDATE: 0 is the session window, any other id a stream's
            }
        }
    }

    private static void readPayload(FrameType type, int flags, int streamId, int length, ByteBuf buf,
            FrameListener listener) throws MuxException {
        switch (type) {
            case DATA -> listener.onData(streamId, Cumulation.readRetainedPayload(buf, length));
            case WINDOW_UPDATE -> readWindowUpdate(streamId, buf, listener);
            case OPEN -> readOpen(streamId, length, buf, listener);
            case OPEN_OK -> listener.onOpenOk(streamId);
            case OPEN_FAILED -> {
                ErrorCode code = ErrorCode.fromCode(buf.readUnsignedInt());
                listener.onOpenFailed(streamId, code, readText(buf, length - 4));
            }
            case FIN -> listener.onFin(streamId);
            case RESET -> listener.onReset(streamId, ErrorCode.fromCode(buf.readUnsignedInt()));
            case PING -> listener.onPing((flags & WireConstants.FLAG_ACK) != 0, buf.readLong());
            case GO_AWAY -> readGoAway(length, buf, listener);
            case HELLO -> readHello(flags, length, buf, listener);
            case CHALLENGE -> readChallenge(length, buf, listener);
            case AUTH -> readAuth(length, buf, listener);
            case WELCOME -> listener.onWelcome();
        }
    }

    private static void readWindowUpdate(int streamId, ByteBuf buf, FrameListener listener) throws MuxException {
        int increment = buf.readInt();
        if (increment <= 0) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE increment %d on stream %d, must be 1..2^31-1",
                    Integer.toUnsignedLong(increment), streamId);
        }
        listener.onWindowUpdate(streamId, increment);
    }

    private static void readGoAway(int length, ByteBuf buf, FrameListener listener) throws MuxException {
        int lastStreamId = buf.readInt();
        if (lastStreamId < 0) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "GO_AWAY last stream id has the reserved bit set");
        }
        ErrorCode code = ErrorCode.fromCode(buf.readUnsignedInt());
        listener.onGoAway(lastStreamId, code, readText(buf, length - 8));
    }

    /** No payload, or the user's addresses: IPv4 or IPv6, nothing in between (PROTOCOL.md §3). */
    private static void readOpen(int streamId, int length, ByteBuf buf, FrameListener listener) throws MuxException {
        if (length == 0) {
            listener.onOpen(streamId, null);
            return;
        }
        if (length != UserAddresses.IPV4_LENGTH && length != UserAddresses.IPV6_LENGTH) {
            throw MuxException.connectionError(ErrorCode.FRAME_SIZE_ERROR,
                    "OPEN length %d, must be 0, %d (IPv4 addresses) or %d (IPv6 addresses)", length,
                    UserAddresses.IPV4_LENGTH, UserAddresses.IPV6_LENGTH);
        }
        listener.onOpen(streamId, UserAddresses.read(buf, length));
    }

    private static void readHello(int flags, int length, ByteBuf buf, FrameListener listener) throws MuxException {
        int magic = buf.readInt();
        if (magic != WireConstants.MAGIC) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "HELLO magic 0x%08x, expected 0x%08x", magic, WireConstants.MAGIC);
        }
        int version = buf.readUnsignedByte();
        int nameLength = buf.readUnsignedByte();
        int nonceLength = length - 6 - nameLength;
        // no nonce at all is a version-1 HELLO: passed on, so that the server end can say which version it speaks
        if (nameLength == 0 || (nonceLength != WireConstants.NONCE_LENGTH && nonceLength != 0)) {
            throw MuxException.connectionError(
                    ErrorCode.FRAME_SIZE_ERROR, "HELLO name length %d does not fit frame length %d", nameLength, length);
        }
        String tunnel = readText(buf, nameLength);
        listener.onHello(version, tunnel, readBytes(buf, nonceLength), (flags & WireConstants.FLAG_ADDRESSES) != 0);
    }

    private static void readChallenge(int length, ByteBuf buf, FrameListener listener) throws MuxException {
        int proofs = length - WireConstants.NONCE_LENGTH;
        if (proofs % WireConstants.MAC_LENGTH != 0) {
            throw MuxException.connectionError(ErrorCode.FRAME_SIZE_ERROR,
                    "CHALLENGE length %d is not a nonce and whole proofs of %d bytes", length, WireConstants.MAC_LENGTH);
        }
        byte[] nonce = readBytes(buf, WireConstants.NONCE_LENGTH);
        listener.onChallenge(nonce, readBytes(buf, proofs));
    }

    private static void readAuth(int length, ByteBuf buf, FrameListener listener) throws MuxException {
        if (length != 0 && length != WireConstants.MAC_LENGTH) {
            throw MuxException.connectionError(
                    ErrorCode.FRAME_SIZE_ERROR, "AUTH length %d, must be 0 or %d", length, WireConstants.MAC_LENGTH);
        }
        listener.onAuth(readBytes(buf, length));
    }

    private static String readText(ByteBuf buf, int length) {
        String text = buf.toString(buf.readerIndex(), length, UTF_8);
        buf.skipBytes(length);
        return text;
    }

    private static byte[] readBytes(ByteBuf buf, int length) {
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }
}
