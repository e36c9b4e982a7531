package dev.itt.agent;

import dev.itt.config.DialTarget;
import dev.itt.config.Endpoint;
import dev.itt.config.ProxyUrl;
import dev.itt.vertx.Internals;
import dev.itt.vertx.TcpOptions;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Dials TCP and Unix-socket targets, directly or, for {@code proxy:} targets, through the tunnel's proxy with
 * Vert.x {@link ProxyOptions} (Netty's proxy handlers underneath). For {@code socks5://} the target name is
 * resolved here and the proxy gets an address; for {@code socks5h://} and {@code http://} the proxy gets the
 * name. Call from the event loop that should own the new socket.
 */
public final class Dialer {
    private final Vertx vertx;
    private final NetClient direct;
    private final NetClient proxied;
    private final ProxyUrl proxy;
    /** Direct targets' addresses: the downstream and the upstream, so two entries at most. */
    private final Map<Endpoint, SocketAddress> addresses = new HashMap<>();

    public Dialer(Vertx vertx, ProxyUrl proxy, Duration connectTimeout) {
        this.vertx = vertx;
        this.proxy = proxy;
        this.direct = vertx.createNetClient(options(connectTimeout));
        this.proxied = proxy == null ? null : vertx.createNetClient(options(connectTimeout).setProxyOptions(
                new ProxyOptions()
                        .setType(proxy.scheme() == ProxyUrl.Scheme.HTTP ? ProxyType.HTTP : ProxyType.SOCKS5)
                        .setHost(proxy.host())
                        .setPort(proxy.port())
                        .setUsername(proxy.username())
                        .setPassword(proxy.password())));
    }

    private static NetClientOptions options(Duration connectTimeout) {
        return TcpOptions.apply(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()));
    }

    public Future<NetSocket> dial(DialTarget target) {
        if (!target.viaProxy()) {
            return direct.connect(addresses.computeIfAbsent(target.endpoint(), Dialer::socketAddress));
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) target.endpoint();
        if (proxied == null) {
            return Future.failedFuture(new IllegalStateException(target + " asks for a proxy, but none is set"));
        }
        if (proxy.scheme() != ProxyUrl.Scheme.SOCKS5) {
            return proxied.connect(tcp.port(), tcp.host());
        }
        return Internals.resolve(vertx, tcp.host()).compose(ip -> proxied.connect(
                SocketAddress.inetSocketAddress(new InetSocketAddress(ip, tcp.port()))));
    }

    /**
     * The address Vert.x dials for a direct target, made once and shared by every dial: each socket keeps the
     * address it was dialed with, and an agent of ten thousand streams would otherwise hold ten thousand copies.
     * An IP literal is parsed here; a name is left to Vert.x's resolver on each dial, so DNS changes are seen.
     */
    private static SocketAddress socketAddress(Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Unix unix) {
            return SocketAddress.domainSocketAddress(unix.path());
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) endpoint;
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(tcp.host());
        if (ip == null) {
            return SocketAddress.inetSocketAddress(tcp.port(), tcp.host());
        }
        try {
            // With the host string given, each socket's own copy of the peer address shares it instead of
            // formatting the IP again.
            return SocketAddress.inetSocketAddress(
                    new InetSocketAddress(InetAddress.getByAddress(tcp.host(), ip), tcp.port()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + tcp.host(), e); // NetUtil said it was one
        }
    }

    public Future<Void> close() {
        Future<Void> a = direct.close();
        return proxied == null ? a : Future.all(a, proxied.close()).mapEmpty();
    }
}
