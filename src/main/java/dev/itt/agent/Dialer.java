package dev.itt.agent;

import dev.itt.config.DialTarget;
import dev.itt.config.Endpoint;
import dev.itt.config.ProxyUrl;
import dev.itt.vertx.Internals;
import dev.itt.vertx.TcpOptions;
import dev.itt.vertx.TlsFiles;
import dev.itt.vertx.TlsOptions;
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
 * name. Call from the event loop that should own the new socket. A dialer made with TLS settings dials every
 * target with TLS: the agent uses one such dialer for the server end and a plaintext one for upstreams.
 */
public final class Dialer {
    private final Vertx vertx;
    private final NetClient direct;
    private final NetClient proxied;
    private final ProxyUrl proxy;
    /** Direct targets' addresses: the downstream and the upstream, so two entries at most. */
    private final Map<Endpoint, SocketAddress> addresses = new HashMap<>();
    /** With TLS: the name the server's certificate must carry (and SNI); null for plaintext. */
    private final String serverName;

    public Dialer(Vertx vertx, ProxyUrl proxy, Duration connectTimeout) {
        this(vertx, proxy, connectTimeout, null, null);
    }

    /**
     * @param tls TLS material for every dial, or null for plaintext; each new version it loads is used from the
     *     next dial on
     * @param serverName the name the server's certificate must carry (and SNI), with {@code tls}
     */
    public Dialer(Vertx vertx, ProxyUrl proxy, Duration connectTimeout, TlsFiles tls, String serverName) {
        this.vertx = vertx;
        this.proxy = proxy;
        this.serverName = tls == null ? null : serverName;
        this.direct = vertx.createNetClient(TlsOptions.agent(options(connectTimeout), tls));
        this.proxied = proxy == null ? null : vertx.createNetClient(TlsOptions.agent(options(connectTimeout), tls)
                .setProxyOptions(
                new ProxyOptions()
                        .setType(proxy.scheme() == ProxyUrl.Scheme.HTTP ? ProxyType.HTTP : ProxyType.SOCKS5)
                        .setHost(proxy.host())
                        .setPort(proxy.port())
                        .setUsername(proxy.username())
                        .setPassword(proxy.password())));
        if (tls != null) {
            tls.usedBy(direct::updateSSLOptions);
            if (proxied != null) {
                tls.usedBy(proxied::updateSSLOptions);
            }
        }
    }

    private static NetClientOptions options(Duration connectTimeout) {
        return TcpOptions.apply(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()));
    }

    public Future<NetSocket> dial(DialTarget target) {
        if (!target.viaProxy()) {
            if (serverName != null && target.endpoint() instanceof Endpoint.Tcp tcp && !serverName.equals(tcp.host())) {
                // The JDK checks the SNI name, and on a mismatch falls back to the host the engine was given: give
                // it the server name as that host too, so that only tls.server-name can pass.
                return Internals.resolve(vertx, tcp.host()).compose(ip -> direct.connect(named(ip, tcp.port()),
                        serverName));
            }
            return direct.connect(addresses.computeIfAbsent(target.endpoint(), Dialer::socketAddress), serverName);
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) target.endpoint();
        if (proxied == null) {
            return Future.failedFuture(new IllegalStateException(target + " asks for a proxy, but none is set"));
        }
        if (proxy.scheme() != ProxyUrl.Scheme.SOCKS5) {
            return proxied.connect(SocketAddress.inetSocketAddress(tcp.port(), tcp.host()), serverName);
        }
        return Internals.resolve(vertx, tcp.host()).compose(ip -> proxied.connect(
                SocketAddress.inetSocketAddress(new InetSocketAddress(ip, tcp.port())), serverName));
    }

    /** An address of {@code ip} whose host string is the server name. */
    private SocketAddress named(InetAddress ip, int port) {
        try {
            return SocketAddress.inetSocketAddress(new InetSocketAddress(
                    InetAddress.getByAddress(serverName, ip.getAddress()), port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e); // the resolver gave an address
        }
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
