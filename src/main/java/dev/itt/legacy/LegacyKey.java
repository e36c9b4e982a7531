package dev.itt.legacy;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the legacy format names a user connection by: the user's address and port as the server's acceptor saw
 * them. IPv4 and IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) go as type 1 with 4 bytes (LEGACY-PROTOCOL.md). Netty and
 * {@code InetAddress.getByName} already turn mapped addresses into IPv4 ones, but an {@link java.net.Inet6Address}
 * can still hold one, so the bytes decide. Held as two longs so that it can be a map key without copying arrays.
 */
record LegacyKey(boolean v4, long high, long low, int port) {

    static LegacyKey of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        byte[] b = ip.getAddress();
        if (ip instanceof Inet4Address) {
            return new LegacyKey(true, 0, toLong(b, 0, 4), address.getPort());
        }
        if (isIpv4Mapped(b)) {
            return new LegacyKey(true, 0, toLong(b, 12, 4), address.getPort());
        }
        return new LegacyKey(false, toLong(b, 0, 8), toLong(b, 8, 8), address.getPort());
    }

    /**
     * A key for a user with no IP address (a Unix-socket listener): unique local IPv6 fd00::/8 plus a counter,
     * stable for the life of the connection. The Go server stops accepting on such users.
     */
    static LegacyKey invented(long counter) {
        return new LegacyKey(false, 0xfd00_0000_0000_0000L, counter, (int) (counter & 0xFFFF));
    }

    /** Reads type, address and port (the reader is positioned at the address type byte). */
    static LegacyKey read(ByteBuf in, int addressType) {
        if (addressType == LegacyWire.ATYP_IPV4) {
            long low = in.readUnsignedInt();
            return new LegacyKey(true, 0, low, in.readUnsignedShort());
        }
        long high = in.readLong();
        long low = in.readLong();
        return new LegacyKey(false, high, low, in.readUnsignedShort());
    }

    int addressLength() {
        return v4 ? 4 : 16;
    }

    /** Writes address type byte, address and port. */
    void write(ByteBuf out) {
        out.writeByte(v4 ? LegacyWire.ATYP_IPV4 : LegacyWire.ATYP_IPV6);
        if (v4) {
            out.writeInt((int) low);
        } else {
            out.writeLong(high);
            out.writeLong(low);
        }
        out.writeShort(port);
    }

    /** {@code ::ffff:a.b.c.d}: ten zero bytes, two 0xff, then the IPv4 address. */
    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static long toLong(byte[] b, int from, int n) {
        long v = 0;
        for (int i = from; i < from + n; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        if (v4) {
            return ((low >> 24) & 0xFF) + "." + ((low >> 16) & 0xFF) + "." + ((low >> 8) & 0xFF) + "." + (low & 0xFF)
                    + ":" + port;
        }
        return "[" + Long.toHexString(high) + ":" + Long.toHexString(low) + "]:" + port;
    }
}
