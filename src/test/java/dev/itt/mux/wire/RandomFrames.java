package dev.itt.mux.wire;

import io.netty.buffer.Unpooled;
import java.util.Random;

/** Valid random frames of every type, for property tests; the same seed gives the same frames. */
final class RandomFrames {
    private static final ErrorCode[] CODES = java.util.Arrays.stream(ErrorCode.values())
            .filter(c -> c != ErrorCode.UNKNOWN).toArray(ErrorCode[]::new);

    private RandomFrames() {}

    static Frame next(Random r) {
        int stream = 1 + r.nextInt(Integer.MAX_VALUE);
        return switch (r.nextInt(13)) {
            case 0 -> new Frame.Data(stream,
                    Unpooled.wrappedBuffer(bytes(r, 1 + r.nextInt(r.nextBoolean() ? 64 : WireConstants.MAX_PAYLOAD))));
            case 1 -> new Frame.WindowUpdate(r.nextBoolean() ? 0 : stream, 1 + r.nextInt(Integer.MAX_VALUE));
            case 2 -> new Frame.Open(stream, r.nextBoolean() ? null : addresses(r));
            case 3 -> new Frame.OpenOk(stream);
            case 4 -> new Frame.OpenFailed(stream, code(r), text(r));
            case 5 -> new Frame.Fin(stream);
            case 6 -> new Frame.Reset(stream, code(r));
            case 7 -> new Frame.Ping(r.nextBoolean(), r.nextLong());
            case 8 -> new Frame.GoAway(r.nextInt(Integer.MAX_VALUE), code(r), text(r));
            case 9 -> new Frame.Hello(r.nextInt(256), name(r),
                    r.nextBoolean() ? new byte[0] : bytes(r, WireConstants.NONCE_LENGTH), r.nextBoolean());
            case 10 -> new Frame.Challenge(bytes(r, WireConstants.NONCE_LENGTH),
                    bytes(r, r.nextInt(WireConstants.MAX_PROOFS + 1) * WireConstants.MAC_LENGTH));
            case 11 -> new Frame.Auth(r.nextBoolean() ? new byte[0] : bytes(r, WireConstants.MAC_LENGTH));
            default -> new Frame.Welcome();
        };
    }

    /** IPv4, IPv6, or one of each (which OPEN sends as IPv6, the IPv4 one mapped). */
    private static UserAddresses addresses(Random r) {
        int family = r.nextInt(3);
        return new UserAddresses(address(r, family == 0 ? 4 : 16), address(r, family == 1 ? 16 : 4));
    }

    private static java.net.InetSocketAddress address(Random r, int size) {
        try {
            return new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(bytes(r, size)), r.nextInt(65536));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static ErrorCode code(Random r) {
        return CODES[r.nextInt(CODES.length)];
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String text(Random r) {
        String[] words = {"refused", "gone", "über", "ζ", "timeout", "", "peer", "🙂"};
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(6); i > 0; i--) {
            sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        return sb.toString();
    }

    private static String name(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + r.nextInt(40); i > 0; i--) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
