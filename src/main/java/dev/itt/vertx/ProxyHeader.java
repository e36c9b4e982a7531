package dev.itt.vertx;

import dev.itt.config.ProxyProtocol;
import dev.itt.mux.wire.UserAddresses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, version 1 or 2) an agent writes first on each upstream
 * connection, from the user's addresses that came with the stream's OPEN (docs/PROTOCOL.md §5.2); Netty's haproxy
 * codec makes the bytes. Without addresses (a server end that predates them, or a user who came through a Unix
 * socket) the header says the address is unknown: {@code PROXY UNKNOWN} in version 1, the LOCAL command in version
 * 2; the first such stream of the tunnel is logged. One per agent, on its event loop; costs nothing per frame.
 */
public final class ProxyHeader {
    private static final Logger LOG = Logger.getLogger(ProxyHeader.class);
    /** Netty's version-1 encoder cannot write UNKNOWN (it writes the absent addresses): the spec's one fixed line. */
    private static final byte[] V1_UNKNOWN = "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String ENCODER = "itt-proxy-header";

    private final String tunnel;
    private final HAProxyProtocolVersion version;
    private boolean noAddressesLogged;

    private ProxyHeader(String tunnel, HAProxyProtocolVersion version) {
        this.tunnel = tunnel;
        this.version = version;
    }

    /** The header of {@code tunnel}'s upstream connections, or null for {@link ProxyProtocol#NONE}. */
    public static ProxyHeader of(String tunnel, ProxyProtocol protocol) {
        return switch (protocol) {
            case NONE -> null;
            case V1 -> new ProxyHeader(tunnel, HAProxyProtocolVersion.V1);
            case V2 -> new ProxyHeader(tunnel, HAProxyProtocolVersion.V2);
        };
    }

    /**
     * Queues the header on a new {@code upstream} connection and flushes it at the end of this turn: call before the
     * stream is joined to it, so that no byte of the user's goes first (and an upstream that speaks first, and waits
     * for the header, gets it without waiting for the user).
     */
    public void write(Connection upstream, int streamId, UserAddresses addresses) {
        if (addresses == null) {
            logNoAddresses(streamId);
        }
        if (addresses == null && version == HAProxyProtocolVersion.V1) {
            upstream.write(upstream.alloc().buffer(V1_UNKNOWN.length).writeBytes(V1_UNKNOWN));
        } else {
            encode(upstream, message(addresses));
        }
        upstream.flush();
    }

    /**
     * Through Netty's encoder, put in the pipeline for this one write just before Vert.x's handler, so that the
     * bytes take the path of every later write; the encoder runs at once on the event loop, and leaves again.
     */
    private static void encode(Connection upstream, HAProxyMessage message) {
        ChannelHandlerContext ctx = upstream.context();
        ctx.pipeline().addBefore(ctx.name(), ENCODER, HAProxyMessageEncoder.INSTANCE);
        try {
            ctx.write(message, ctx.voidPromise());
        } finally {
            ctx.pipeline().remove(ENCODER);
        }
    }

    /** The header's content, for the version of this tunnel; without addresses, version 2's LOCAL. */
    HAProxyMessage message(UserAddresses addresses) {
        if (addresses == null) {
            return new HAProxyMessage(version, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        boolean ipv6 = addresses.ipv6();
        return new HAProxyMessage(version, HAProxyCommand.PROXY,
                ipv6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
                text(addresses.source(), ipv6), text(addresses.destination(), ipv6),
                addresses.source().getPort(), addresses.destination().getPort());
    }

    /** As the header writes it; an IPv4 address beside an IPv6 one goes IPv4-mapped, since a header has one family. */
    private static String text(InetSocketAddress address, boolean ipv6) {
        InetAddress ip = address.getAddress();
        return ipv6 && ip instanceof Inet4Address ? "::ffff:" + ip.getHostAddress() : NetUtil.toAddressString(ip);
    }

    private void logNoAddresses(int streamId) {
        if (noAddressesLogged) {
            return;
        }
        noAddressesLogged = true;
        LOG.warnf("tunnel %s stream %d: the server end sent no user address (it is older than PROXY protocol support,"
                + " or the user came through a Unix socket): the PROXY header says %s, for this stream and any"
                + " other like it (logged once)", tunnel, streamId,
                version == HAProxyProtocolVersion.V1 ? "UNKNOWN" : "LOCAL");
    }
}
