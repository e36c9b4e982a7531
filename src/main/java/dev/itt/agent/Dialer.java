package dev.itt.agent;

import dev.itt.config.DialTarget;
import dev.itt.config.Endpoint;
import dev.itt.config.ProxyUrl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

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
        return new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()).setTcpNoDelay(true);
    }

    public Future<NetSocket> dial(DialTarget target) {
        if (target.endpoint() instanceof Endpoint.Unix unix) {
            return direct.connect(SocketAddress.domainSocketAddress(unix.path()));
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) target.endpoint();
        if (!target.viaProxy()) {
            return direct.connect(tcp.port(), tcp.host());
        }
        if (proxied == null) {
            return Future.failedFuture(new IllegalStateException(target + " asks for a proxy, but none is set"));
        }
        if (proxy.scheme() != ProxyUrl.Scheme.SOCKS5) {
            return proxied.connect(tcp.port(), tcp.host());
        }
        Promise<java.net.InetAddress> resolved = Promise.promise();
        ((VertxInternal) vertx).resolveAddress(tcp.host(), resolved);
        return resolved.future().compose(ip -> proxied.connect(
                SocketAddress.inetSocketAddress(new InetSocketAddress(ip, tcp.port()))));
    }

    public Future<Void> close() {
        Future<Void> a = direct.close();
        return proxied == null ? a : Future.all(a, proxied.close()).mapEmpty();
    }
}
