package dev.itt.mux;

import dev.itt.mux.wire.Codec;
import dev.itt.mux.wire.NativeCodec;

/**
 * What a session needs to know of its wire format: the codec, and the behaviour that differs between formats.
 * Chosen once per tunnel by the wire factory; the session asks these questions, never which format it speaks.
 *
 * @param codec frames in and out, one per connection
 * @param flow how the receiver bounds what it holds
 * @param handshake a HELLO/CHALLENGE/AUTH/WELCOME exchange comes before any stream
 * @param keepAlive idle PINGs and a dead-peer timeout; also the round-trip samples that auto-tune windows
 * @param halfClose a FIN ends one direction only; without it, a FIN ends the stream
 * @param frameLimits the per-second limits on control frames and resets apply (PROTOCOL.md §8)
 */
public record Dialect(Codec codec, Flow flow, boolean handshake, boolean keepAlive, boolean halfClose,
        boolean frameLimits) {

    /** The native protocol (docs/PROTOCOL.md), with a codec of its own: everything on. */
    public static Dialect nativeProtocol() {
        return new Dialect(new NativeCodec(), Flow.CREDIT, true, true, true, true);
    }
}
