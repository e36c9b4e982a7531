package dev.itt.mux.wire;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Writes frames into a caller's buffer (docs/PROTOCOL.md §2–§3). Stateless: no fields, no allocation policy. A
 * DATA payload is not copied: {@link #writeDataHeader} writes the header and the caller sends the payload buffer
 * after it.
 */
public final class FrameEncoder {
    private FrameEncoder() {}

    public static void writeHeader(ByteBuf out, int length, FrameType type, int flags, int streamId) {
        out.writeMedium(length);
        out.writeByte(type.code());
        out.writeByte(flags);
        out.writeInt(streamId);
    }

    public static void writeDataHeader(ByteBuf out, int streamId, int length) {
        writeHeader(out, length, FrameType.DATA, 0, streamId);
    }

    public static void writeWindowUpdate(ByteBuf out, int streamId, int increment) {
        writeHeader(out, 4, FrameType.WINDOW_UPDATE, 0, streamId);
        out.writeInt(increment);
    }

    public static void writeOpen(ByteBuf out, int streamId) {
        writeOpen(out, streamId, null);
    }

    /** OPEN, with the user's addresses (PROTOCOL.md §3), or without any when {@code addresses} is null. */
    public static void writeOpen(ByteBuf out, int streamId, UserAddresses addresses) {
        if (addresses == null) {
            writeHeader(out, 0, FrameType.OPEN, 0, streamId);
            return;
        }
        writeHeader(out, addresses.length(), FrameType.OPEN, 0, streamId);
        addresses.write(out);
    }

    public static void writeOpenOk(ByteBuf out, int streamId) {
        writeHeader(out, 0, FrameType.OPEN_OK, 0, streamId);
    }

    public static void writeOpenFailed(ByteBuf out, int streamId, ErrorCode code, String reason) {
        writeCodeAndReason(out, FrameType.OPEN_FAILED, streamId, 0, code, reason);
    }

    public static void writeFin(ByteBuf out, int streamId) {
        writeHeader(out, 0, FrameType.FIN, 0, streamId);
    }

    public static void writeReset(ByteBuf out, int streamId, ErrorCode code) {
        writeHeader(out, 4, FrameType.RESET, 0, streamId);
        out.writeInt(code.code());
    }

    public static void writePing(ByteBuf out, boolean ack, long payload) {
        writeHeader(out, 8, FrameType.PING, ack ? WireConstants.FLAG_ACK : 0, WireConstants.SESSION_STREAM);
        out.writeLong(payload);
    }

    public static void writeGoAway(ByteBuf out, int lastStreamId, ErrorCode code, String reason) {
        writeCodeAndReason(out, FrameType.GO_AWAY, 0, lastStreamId, code, reason);
    }

    /** HELLO: magic, version, the tunnel name, and the agent's nonce (empty only to test a version-1 peer). */
    public static void writeHello(ByteBuf out, int version, String tunnel, byte[] nonce) {
        writeHello(out, version, tunnel, nonce, false);
    }

    /** HELLO, with the ADDRESSES flag if the agent asks for the user's addresses in OPEN (PROTOCOL.md §3). */
    public static void writeHello(ByteBuf out, int version, String tunnel, byte[] nonce, boolean asksAddresses) {
        int nameLength = ByteBufUtil.utf8Bytes(tunnel);
        writeHeader(out, 6 + nameLength + nonce.length, FrameType.HELLO,
                asksAddresses ? WireConstants.FLAG_ADDRESSES : 0, WireConstants.SESSION_STREAM);
        out.writeInt(WireConstants.MAGIC);
        out.writeByte(version);
        out.writeByte(nameLength);
        out.writeCharSequence(tunnel, UTF_8);
        out.writeBytes(nonce);
    }

    /** CHALLENGE: the server end's nonce, then its proofs, 32 bytes each, one per token it accepts. */
    public static void writeChallenge(ByteBuf out, byte[] nonce, byte[] proofs) {
        writeHeader(out, nonce.length + proofs.length, FrameType.CHALLENGE, 0, WireConstants.SESSION_STREAM);
        out.writeBytes(nonce);
        out.writeBytes(proofs);
    }

    public static void writeAuth(ByteBuf out, byte[] mac) {
        writeHeader(out, mac.length, FrameType.AUTH, 0, WireConstants.SESSION_STREAM);
        out.writeBytes(mac);
    }

    public static void writeWelcome(ByteBuf out) {
        writeHeader(out, 0, FrameType.WELCOME, 0, WireConstants.SESSION_STREAM);
    }

    /** Encodes any frame value, payload included (copied); for tests, vectors and tools, not the hot path. */
    public static void encode(Frame frame, ByteBuf out) {
        if (frame instanceof Frame.Data d) {
            writeDataHeader(out, d.streamId(), d.payload().readableBytes());
            out.writeBytes(d.payload(), d.payload().readerIndex(), d.payload().readableBytes());
        } else if (frame instanceof Frame.WindowUpdate w) {
            writeWindowUpdate(out, w.streamId(), w.increment());
        } else if (frame instanceof Frame.Open o) {
            writeOpen(out, o.streamId(), o.addresses());
        } else if (frame instanceof Frame.OpenOk o) {
            writeOpenOk(out, o.streamId());
        } else if (frame instanceof Frame.OpenFailed f) {
            writeOpenFailed(out, f.streamId(), f.code(), f.reason());
        } else if (frame instanceof Frame.Fin f) {
            writeFin(out, f.streamId());
        } else if (frame instanceof Frame.Reset r) {
            writeReset(out, r.streamId(), r.code());
        } else if (frame instanceof Frame.Ping p) {
            writePing(out, p.ack(), p.payload());
        } else if (frame instanceof Frame.GoAway g) {
            writeGoAway(out, g.lastStreamId(), g.code(), g.reason());
        } else if (frame instanceof Frame.Hello h) {
            writeHello(out, h.version(), h.tunnel(), h.nonce(), h.asksAddresses());
        } else if (frame instanceof Frame.Challenge c) {
            writeChallenge(out, c.nonce(), c.proofs());
        } else if (frame instanceof Frame.Auth a) {
            writeAuth(out, a.mac());
        } else if (frame instanceof Frame.Welcome) {
            writeWelcome(out);
        } else {
            throw new IllegalArgumentException("unknown frame " + frame);
        }
    }

    private static String truncate(String s, int chars) {
        int end = Character.isHighSurrogate(s.charAt(chars - 1)) ? chars - 1 : chars;
        return s.substring(0, end);
    }

    private static void writeCodeAndReason(
            ByteBuf out, FrameType type, int streamId, int lastStreamId, ErrorCode code, String reason) {
        int reasonLength = ByteBufUtil.utf8Bytes(reason);
        boolean goAway = type == FrameType.GO_AWAY;
        int fixed = goAway ? 8 : 4;
        int room = WireConstants.MAX_PAYLOAD - fixed;
        String text = reasonLength <= room ? reason : truncate(reason, room / 4);
        int textLength = reasonLength <= room ? reasonLength : ByteBufUtil.utf8Bytes(text);
        writeHeader(out, fixed + textLength, type, 0, streamId);
        if (goAway) {
            out.writeInt(lastStreamId);
        }
        out.writeInt(code.code());
        out.writeCharSequence(text, UTF_8);
    }
}
