package dev.itt.legacy;

import dev.itt.mux.Role;
import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.Cumulation;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameListener;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.UserAddresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The seed's version-5 wire format behind the session's {@link Codec}: messages keyed by the user's address
 * become frames on stream ids that this codec allocates, so the session cannot tell the formats apart. Direction
 * matters (command codes overlap), hence the role. The format has no handshake, credit,
 * keep-alive or half-close; a close in either direction ends the stream (CLOSE_NOTIFY / CONN_CLOSE).
 *
 * <p>One codec per tunnel connection, used on its event loop only.
 */
public final class LegacyCodec implements Codec {
    private static final Logger LOG = Logger.getLogger(LegacyCodec.class);

    private final Role role;
    private final int maxPayload;
    private final Cumulation cumulation = new Cumulation();
    private final Map<LegacyKey, Integer> idsByKey = new HashMap<>();
    private final IntObjectHashMap<LegacyKey> keysById = new IntObjectHashMap<>();
    private int nextId = 1;
    private long invented;
    /** The user the next OPEN is for, told by {@link #nextUser}. */
    private SocketAddress nextUser;
    private boolean failed;

    /** @param maxPayload the largest data message accepted; more is a protocol error */
    public LegacyCodec(Role role, int maxPayload) {
        this.role = role;
        this.maxPayload = maxPayload;
    }

    // ---- reading -----------------------------------------------------------------------------------------

    @Override
    public void decode(ByteBuf in, FrameListener listener) throws MuxException {
        if (failed) {
            in.release();
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "legacy decoder already failed");
        }
        ByteBuf buf = cumulation.append(in);
        try {
            while (readMessage(buf, listener)) {
                // one message per turn
            }
        } catch (MuxException | RuntimeException e) {
            failed = true;
            cumulation.discard(buf);
            throw e;
        }
        cumulation.keepRemainder(buf);
    }

    private boolean readMessage(ByteBuf buf, FrameListener listener) throws MuxException {
        if (buf.readableBytes() < LegacyWire.HEAD) {
            return false;
        }
        int start = buf.readerIndex();
        int version = buf.getUnsignedByte(start);
        int command = buf.getUnsignedByte(start + 1);
        int addressType = buf.getUnsignedByte(start + 3);
        verifyHead(version, command, addressType);
        int keyLength = (addressType == LegacyWire.ATYP_IPV4 ? 4 : 16) + LegacyWire.PORT;
        int headLength = LegacyWire.HEAD + keyLength;
        long payload = 0;
        if (carriesPayload(command)) {
            if (buf.readableBytes() < headLength + LegacyWire.LENGTH) {
                return false;
            }
            payload = buf.getUnsignedInt(start + headLength);
            if (payload > maxPayload) {
                throw MuxException.connectionError(ErrorCode.FRAME_SIZE_ERROR,
                        "legacy payload length %d exceeds the cap of %d", payload, maxPayload);
            }
            headLength += LegacyWire.LENGTH;
        }
        if (buf.readableBytes() < headLength + payload) {
            return false;
        }
        buf.skipBytes(LegacyWire.HEAD);
        LegacyKey key = LegacyKey.read(buf, addressType);
        if (carriesPayload(command)) {
            buf.skipBytes(LegacyWire.LENGTH);
        }
        dispatch(command, key, (int) payload, buf, listener);
        return true;
    }

    private void verifyHead(int version, int command, int addressType) throws MuxException {
        if (version != LegacyWire.VERSION) {
            throw MuxException.connectionError(
                    ErrorCode.PROTOCOL_ERROR, "legacy version %d, expected %d", version, LegacyWire.VERSION);
        }
        if (addressType != LegacyWire.ATYP_IPV4 && addressType != LegacyWire.ATYP_IPV6) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "legacy address type %d", addressType);
        }
        boolean known = role == Role.SERVER
                ? command == LegacyWire.SUCCESS || command == LegacyWire.GENERAL_FAILURE
                        || command == LegacyWire.NETWORK_UNREACHABLE || command == LegacyWire.HOST_UNREACHABLE
                        || command == LegacyWire.CONNECTION_REFUSED || command == LegacyWire.CONN_CLOSE
                        || command == LegacyWire.PACKET
                : command == LegacyWire.CONNECT || command == LegacyWire.SEND || command == LegacyWire.CLOSE_NOTIFY;
        if (!known) {
            throw MuxException.connectionError(ErrorCode.PROTOCOL_ERROR, "legacy command %d from the %s", command,
                    role == Role.SERVER ? "agent" : "server");
        }
    }

    private boolean carriesPayload(int command) {
        return command == (role == Role.SERVER ? LegacyWire.PACKET : LegacyWire.SEND);
    }

    private void dispatch(int command, LegacyKey key, int length, ByteBuf buf, FrameListener listener)
            throws MuxException {
        if (role == Role.AGENT && command == LegacyWire.CONNECT) {
            Integer old = idsByKey.get(key);
            if (old != null) { // the user's address came back before its old stream ended: the old one is gone
                forget(old);
                listener.onReset(old, ErrorCode.CANCEL);
            }
            int id = nextId++;
            remember(key, id);
            listener.onOpen(id, null); // the key is the user's address, but not the one it connected to
            return;
        }
        Integer id = idsByKey.get(key);
        if (id == null) {
            LOG.debugf("legacy: command %d for unknown key %s, ignored", command, key);
            buf.skipBytes(length);
            return;
        }
        if (role == Role.AGENT) {
            fromServer(command, id, length, buf, listener);
        } else {
            fromAgent(command, id, length, buf, listener);
        }
    }

    /** Command codes overlap between the directions (4, 5), so each direction has its own table. */
    private void fromServer(int command, int id, int length, ByteBuf buf, FrameListener listener)
            throws MuxException {
        if (command == LegacyWire.SEND) {
            data(id, length, buf, listener);
        } else { // CLOSE_NOTIFY: the user is gone, close the upstream
            forget(id);
            listener.onReset(id, ErrorCode.NO_ERROR);
        }
    }

    private void fromAgent(int command, int id, int length, ByteBuf buf, FrameListener listener)
            throws MuxException {
        switch (command) {
            case LegacyWire.PACKET -> data(id, length, buf, listener);
            case LegacyWire.SUCCESS -> listener.onOpenOk(id);
            case LegacyWire.CONN_CLOSE -> { // the upstream closed: close the user after what it was sent
                forget(id);
                listener.onReset(id, ErrorCode.NO_ERROR);
            }
            default -> { // a failure reply to CONNECT
                forget(id);
                ErrorCode code = failureCode(command);
                listener.onOpenFailed(id, code, "upstream dial failed (" + code + ")");
            }
        }
    }

    private static void data(int id, int length, ByteBuf buf, FrameListener listener) throws MuxException {
        if (length > 0) {
            listener.onData(id, Cumulation.readRetainedPayload(buf, length));
        }
    }

    private static ErrorCode failureCode(int command) {
        return switch (command) {
            case LegacyWire.CONNECTION_REFUSED -> ErrorCode.CONNECT_REFUSED;
            case LegacyWire.HOST_UNREACHABLE -> ErrorCode.HOST_UNREACHABLE;
            case LegacyWire.NETWORK_UNREACHABLE -> ErrorCode.NETWORK_UNREACHABLE;
            default -> ErrorCode.CONNECT_FAILED; // GENERAL_FAILURE
        };
    }

    private static int failureCommand(ErrorCode code) {
        return switch (code) {
            case CONNECT_REFUSED -> LegacyWire.CONNECTION_REFUSED;
            case HOST_UNREACHABLE -> LegacyWire.HOST_UNREACHABLE;
            case NETWORK_UNREACHABLE -> LegacyWire.NETWORK_UNREACHABLE;
            default -> LegacyWire.GENERAL_FAILURE; // timeouts, unknown hosts, proxies, refused streams, the rest
        };
    }

    @Override
    public void release() {
        cumulation.release();
    }

    // ---- writing -----------------------------------------------------------------------------------------

    /**
     * The server end's next {@link #open} is for this user: the format keys streams by the user's address (a Unix
     * socket's user, with none, gets an invented one).
     */
    public void nextUser(SocketAddress user) {
        nextUser = user;
    }

    /** CONNECT, keyed by {@link #nextUser}; this format has no room for {@code addresses}, always null here. */
    @Override
    public ByteBuf open(ByteBufAllocator alloc, int streamId, UserAddresses addresses) {
        SocketAddress user = nextUser;
        nextUser = null;
        LegacyKey key = user instanceof InetSocketAddress inet && inet.getAddress() != null
                ? LegacyKey.of(inet)
                : LegacyKey.invented(++invented);
        Integer stale = idsByKey.get(key);
        if (stale != null) {
            keysById.remove(stale);
        }
        remember(key, streamId);
        return message(alloc, LegacyWire.CONNECT, key);
    }

    @Override
    public ByteBuf dataHeader(ByteBufAllocator alloc, int streamId, int length) {
        LegacyKey key = keysById.get(streamId);
        if (key == null) {
            throw new IllegalStateException("no legacy key for stream " + streamId);
        }
        ByteBuf out = message(alloc, role == Role.SERVER ? LegacyWire.SEND : LegacyWire.PACKET, key);
        out.writeInt(length);
        return out;
    }

    @Override
    public ByteBuf openOk(ByteBufAllocator alloc, int streamId) {
        LegacyKey key = keysById.get(streamId);
        return key == null ? null : message(alloc, LegacyWire.SUCCESS, key);
    }

    @Override
    public ByteBuf openFailed(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason) {
        LegacyKey key = forget(streamId);
        return key == null ? null : message(alloc, failureCommand(code), key);
    }

    /** A failure reply: a close would tell the Go server the dial succeeded. */
    @Override
    public ByteBuf refuseOpen(ByteBufAllocator alloc, int streamId, ErrorCode code, String reason) {
        return openFailed(alloc, streamId, code, reason);
    }

    @Override
    public ByteBuf fin(ByteBufAllocator alloc, int streamId) {
        return close(alloc, streamId);
    }

    @Override
    public ByteBuf reset(ByteBufAllocator alloc, int streamId, ErrorCode code) {
        return close(alloc, streamId);
    }

    private ByteBuf close(ByteBufAllocator alloc, int streamId) {
        LegacyKey key = forget(streamId);
        if (key == null) {
            return null;
        }
        return message(alloc, role == Role.SERVER ? LegacyWire.CLOSE_NOTIFY : LegacyWire.CONN_CLOSE, key);
    }

    private ByteBuf message(ByteBufAllocator alloc, int command, LegacyKey key) {
        ByteBuf out = alloc.ioBuffer(LegacyWire.HEAD + key.addressLength() + LegacyWire.PORT + LegacyWire.LENGTH);
        out.writeByte(LegacyWire.VERSION);
        out.writeByte(command);
        out.writeByte(0);
        key.write(out);
        return out;
    }

    private void remember(LegacyKey key, int id) {
        idsByKey.put(key, id);
        keysById.put(id, key);
    }

    private LegacyKey forget(int id) {
        LegacyKey key = keysById.remove(id);
        if (key != null) {
            idsByKey.remove(key);
        }
        return key;
    }

    // the legacy format has none of these: nothing goes on the wire

    @Override
    public ByteBuf windowUpdate(ByteBufAllocator alloc, int streamId, int increment) {
        return null;
    }

    @Override
    public ByteBuf ping(ByteBufAllocator alloc, boolean ack, long payload) {
        return null;
    }

    @Override
    public ByteBuf goAway(ByteBufAllocator alloc, int lastStreamId, ErrorCode code, String reason) {
        return null;
    }

    @Override
    public ByteBuf hello(ByteBufAllocator alloc, String tunnel, byte[] nonce, boolean asksAddresses) {
        return null;
    }

    @Override
    public ByteBuf challenge(ByteBufAllocator alloc, byte[] nonce, byte[] proofs) {
        return null;
    }

    @Override
    public ByteBuf auth(ByteBufAllocator alloc, byte[] mac) {
        return null;
    }

    @Override
    public ByteBuf welcome(ByteBufAllocator alloc) {
        return null;
    }
}
