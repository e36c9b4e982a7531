package dev.itt.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A proxy: {@code socks5://} (the agent resolves target names itself), {@code socks5h://} (the proxy resolves
 * them) or {@code http://} (CONNECT), with optional {@code user:password@} (docs/CONFIGURATION.md §4). The password
 * never shows in {@link #toString()} nor in a parsing error.
 *
 * @param username the decoded user name, or null when the URL has none
 * @param password the decoded password: empty for {@code user@}, null when the URL has no user
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
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("empty proxy URL");
        }
        String value = redact(raw.trim());
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            // the reason alone: the exception's message quotes the input, password included
            throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason());
        }
        String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Scheme scheme = switch (s) {
            case "socks5" -> Scheme.SOCKS5;
            case "socks5h" -> Scheme.SOCKS5H;
            case "http" -> Scheme.HTTP;
            default -> throw new IllegalArgumentException(
                    "'" + value + "' has scheme '" + s + "'; use socks5://, socks5h:// or http://");
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' names no proxy host" + (uri.getRawAuthority() == null
                    ? "" : " (a host name holds letters, digits, '-' and '.'; an IPv6 address goes in brackets)"));
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + value + "': a proxy URL has no path, query or fragment");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("'" + value + "' has port " + uri.getPort() + ", outside 1..65535");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        String host = uri.getHost();
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ProxyUrl(scheme, host, uri.getPort() < 0 ? scheme.defaultPort : uri.getPort(), user, password);
    }

    /**
     * The URL with any password replaced, for messages: a typo in a proxy URL must not leak its secret. The
     * password runs from the first ':' after the scheme's "//" to the last '@', which also covers a password whose
     * '@', '/' or '#' was not percent-encoded.
     */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        int slashes = url.indexOf("://");
        int at = url.lastIndexOf('@');
        int colon = url.indexOf(':', slashes < 0 ? 0 : slashes + 3);
        if (at < 0 || colon < 0 || colon > at) {
            return url;
        }
        return url.substring(0, colon + 1) + "****" + url.substring(at);
    }

    /** RFC 3986 percent-decoding; unlike form decoding, a '+' stays a '+'. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return scheme.name().toLowerCase(Locale.ROOT) + "://" + (username != null ? username + ":****@" : "")
                + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
