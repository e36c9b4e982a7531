package dev.itt.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A proxy: {@code socks5://} (the agent resolves target names itself), {@code socks5h://} (the proxy resolves
 * them) or {@code http://} (CONNECT), with optional {@code user:password@}. The password never shows in
 * {@link #toString()}.
 */
public record ProxyUrl(Scheme scheme, String host, int port, String username, String password) {

    public enum Scheme {
        SOCKS5(1080),
        SOCKS5H(1080),
        HTTP(8080);

        final int defaultPort;

        Scheme(int defaultPort) {
            this.defaultPort = defaultPort;
        }
    }

    public static ProxyUrl parse(String raw) {
        String value = redact(raw);
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason());
        }
        String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        Scheme scheme = switch (s) {
            case "socks5" -> Scheme.SOCKS5;
            case "socks5h" -> Scheme.SOCKS5H;
            case "http" -> Scheme.HTTP;
            default -> throw new IllegalArgumentException(
                    "'" + value + "' has scheme '" + s + "'; use socks5://, socks5h:// or http://");
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' names no proxy host");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("'" + value + "': a proxy URL has no path");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new ProxyUrl(scheme, host, uri.getPort() < 0 ? scheme.defaultPort : uri.getPort(), user, password);
    }

    /** The URL with any password replaced, for messages: a typo in a proxy URL must not leak its secret. */
    static String redact(String url) {
        return url == null ? null : url.replaceFirst("(://[^/@:]*):[^/@]*@", "$1:****@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return scheme.name().toLowerCase() + "://" + (username != null ? username + ":****@" : "") + host + ":" + port;
    }
}
