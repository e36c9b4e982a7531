package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;

/**
 * Bytes received but not yet decoded, for a decoder that reads frames which may span reads. Kept as a composite
 * of the received buffers, never copied; payloads handed out are slices of those buffers themselves. One per
 * connection, one thread.
 */
public final class Cumulation {
    private static final int MAX_COMPONENTS = 1024;

    private CompositeByteBuf kept;

    /** {@code in} (ownership passes) behind whatever was kept: the buffer to decode from now. */
    public ByteBuf append(ByteBuf in) {
        if (kept == null) {
            return in;
        }
        kept.addComponent(true, in);
        return kept;
    }

    /** After decoding from {@code buf} (what {@link #append} returned): keeps the unread rest, frees the read. */
    public void keepRemainder(ByteBuf buf) {
        if (!buf.isReadable()) {
            buf.release();
            kept = null;
        } else if (buf != kept) {
            kept = buf.alloc().compositeBuffer(MAX_COMPONENTS).addComponent(true, buf);
        } else {
            kept.discardReadComponents();
        }
    }

    /** Drops everything, including {@code buf} (what {@link #append} returned); after a decoding error. */
    public void discard(ByteBuf buf) {
        buf.release();
        kept = null;
    }

    public int pendingBytes() {
        return kept == null ? 0 : kept.readableBytes();
    }

    public void release() {
        if (kept != null) {
            kept.release();
            kept = null;
        }
    }

    /**
     * A retained view of the next {@code length} bytes of {@code buf}. From the composite it is built from slices
     * of the received buffers: a slice of the composite would share the composite's count, and
     * {@code discardReadComponents} would free the bytes under it.
     */
    public static ByteBuf readRetainedPayload(ByteBuf buf, int length) {
        if (!(buf instanceof CompositeByteBuf composite)) {
            return buf.readRetainedSlice(length);
        }
        List<ByteBuf> parts = composite.decompose(composite.readerIndex(), length);
        composite.skipBytes(length);
        if (parts.size() == 1) {
            return parts.get(0).retain();
        }
        CompositeByteBuf payload = composite.alloc().compositeBuffer(parts.size());
        for (ByteBuf part : parts) {
            payload.addComponent(true, part.retain());
        }
        return payload;
    }
}
