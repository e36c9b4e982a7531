package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;

/**
 * Frames as values, for tests, vectors and logs. The hot path does not build these: the decoder calls
 * {@link FrameListener} and the session calls {@link FrameEncoder} directly.
 */
public sealed interface Frame {

    record Data(int streamId, ByteBuf payload) implements Frame {
        @Override
        public String toString() {
            return "Data[stream=" + streamId + ", payload=" + ByteBufUtil.hexDump(payload) + "]";
        }
    }

    record WindowUpdate(int streamId, int increment) implements Frame {}

    /** {@code addresses}: the user's, or null for an OPEN without them (PROTOCOL.md §3). */
    record Open(int streamId, UserAddresses addresses) implements Frame {
        public Open(int streamId) {
            this(streamId, null);
        }

        @Override
        public String toString() {
            return "Open[streamId=" + streamId + (addresses == null ? "" : ", " + addresses) + "]";
        }
    }

    record OpenOk(int streamId) implements Frame {}

    record OpenFailed(int streamId, ErrorCode code, String reason) implements Frame {}

    record Fin(int streamId) implements Frame {}

    record Reset(int streamId, ErrorCode code) implements Frame {}

    record Ping(boolean ack, long payload) implements Frame {}

    record GoAway(int lastStreamId, ErrorCode code, String reason) implements Frame {}

    /** {@code asksAddresses}: the ADDRESSES flag, the agent asks for the user's addresses in OPEN (§3). */
    record Hello(int version, String tunnel, byte[] nonce, boolean asksAddresses) implements Frame {
        public Hello(int version, String tunnel, byte[] nonce) {
            this(version, tunnel, nonce, false);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && version == h.version && tunnel.equals(h.tunnel)
                    && Arrays.equals(nonce, h.nonce) && asksAddresses == h.asksAddresses;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * version + tunnel.hashCode()) + Arrays.hashCode(nonce)) + (asksAddresses ? 1 : 0);
        }

        @Override
        public String toString() {
            return "Hello[version=" + version + ", tunnel=" + tunnel + ", nonce=" + ByteBufUtil.hexDump(nonce)
                    + (asksAddresses ? ", asksAddresses" : "") + "]";
        }
    }

    record Challenge(byte[] nonce, byte[] proofs) implements Frame {
        @Override
        public boolean equals(Object o) {
            return o instanceof Challenge c && Arrays.equals(nonce, c.nonce) && Arrays.equals(proofs, c.proofs);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(nonce) + Arrays.hashCode(proofs);
        }

        @Override
        public String toString() {
            return "Challenge[nonce=" + ByteBufUtil.hexDump(nonce) + ", proofs=" + ByteBufUtil.hexDump(proofs) + "]";
        }
    }

    record Auth(byte[] mac) implements Frame {
        @Override
        public boolean equals(Object o) {
            return o instanceof Auth a && Arrays.equals(mac, a.mac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mac);
        }

        @Override
        public String toString() {
            return "Auth[" + ByteBufUtil.hexDump(mac) + "]";
        }
    }

    record Welcome() implements Frame {}
}
