package dev.itt.mux.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * The user's addresses as the server end saw them, carried by OPEN to an agent that asked for them
 * (docs/PROTOCOL.md §3, §5.2): {@code source} is the user's end of its connection, {@code destination} the server
 * end's, the local address of the listen socket that accepted it. Both are IP addresses: a user who came through a
 * Unix socket has none.
 */
public record UserAddresses(InetSocketAddress source, InetSocketAddress destination) {
    /** OPEN's payload with two IPv4 addresses and two ports. */
    public static final int IPV4_LENGTH = 4 + 4 + 2 + 2;
    /** OPEN's payload with two IPv6 addresses and two ports. */
    public static final int IPV6_LENGTH = 16 + 16 + 2 + 2;

    public UserAddresses {
        if (source.getAddress() == null || destination.getAddress() == null) {
            throw new IllegalArgumentException("unresolved address: " + source + ", " + destination);
        }
    }

    /** The addresses of a user's connection, or null when either end of it is not an IP address. */
    public static UserAddresses of(SocketAddress source, SocketAddress destination) {
        if (source instanceof InetSocketAddress s && s.getAddress() != null
                && destination instanceof InetSocketAddress d && d.getAddress() != null) {
            return new UserAddresses(s, d);
        }
        return null;
    }

    /**
     * Whether OPEN carries them as IPv6: either one is. An IPv4 address beside an IPv6 one (a dual-stack listen)
     * is then sent IPv4-mapped, {@code ::ffff:a.b.c.d}, as the PROXY protocol does, since OPEN has one family.
     */
    public boolean ipv6() {
        return source.getAddress() instanceof Inet6Address || destination.getAddress() instanceof Inet6Address;
    }

    /** The length of OPEN's payload for these addresses. */
    public int length() {
        return ipv6() ? IPV6_LENGTH : IPV4_LENGTH;
    }

    /** Writes OPEN's payload: source address, destination address, source port, destination port. */
    public void write(ByteBuf out) {
        boolean ipv6 = ipv6();
        writeAddress(out, source.getAddress(), ipv6);
        writeAddress(out, destination.getAddress(), ipv6);
        out.writeShort(source.getPort());
        out.writeShort(destination.getPort());
    }

    private static void writeAddress(ByteBuf out, InetAddress address, boolean ipv6) {
        if (ipv6 && address instanceof Inet4Address) {
            out.writeZero(10);
            out.writeShort(0xffff);
        }
        out.writeBytes(address.getAddress());
    }

    /**
     * Reads OPEN's payload of {@code length} bytes, {@link #IPV4_LENGTH} or {@link #IPV6_LENGTH}. An IPv4-mapped
     * address reads as the IPv4 address it maps, as Java reads any.
     */
    static UserAddresses read(ByteBuf in, int length) {
        int size = length == IPV6_LENGTH ? 16 : 4;
        InetAddress source = readAddress(in, size);
        InetAddress destination = readAddress(in, size);
        int sourcePort = in.readUnsignedShort();
        int destinationPort = in.readUnsignedShort();
        return new UserAddresses(new InetSocketAddress(source, sourcePort),
                new InetSocketAddress(destination, destinationPort));
    }

    private static InetAddress readAddress(ByteBuf in, int size) {
        byte[] bytes = new byte[size];
        in.readBytes(bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + size + " bytes", e); // 4 or 16: never thrown
        }
    }

    /** {@code source=192.0.2.10:51000, destination=[2001:db8::20]:443}. */
    @Override
    public String toString() {
        return "source=" + describe(source) + ", destination=" + describe(destination);
    }

    private static String describe(InetSocketAddress a) {
        String host = NetUtil.toAddressString(a.getAddress()); // IPv6 compressed, as RFC 5952 writes it
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
