package dev.itt.config;

/**
 * A place to listen on or dial: {@code host:port}, {@code [v6]:port}, {@code tcp:host:port} or {@code unix:/path}
 * (docs/CONFIGURATION.md). Parsing errors say what was wrong and quote the value.
 */
public sealed interface Endpoint {

    record Tcp(String host, int port) implements Endpoint {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    record Unix(String path) implements Endpoint {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    static Endpoint parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty address");
        }
        String v = value.trim();
        if (v.startsWith("unix:")) {
            String path = v.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + value + "' names no socket path after unix:");
            }
            return new Unix(path);
        }
        if (v.startsWith("proxy:")) {
            throw new IllegalArgumentException("'" + value + "': proxy: applies only to dial targets"
                    + " (downstream, upstream), not to listen addresses");
        }
        if (v.startsWith("tcp:")) {
            v = v.substring("tcp:".length());
        }
        return parseHostPort(value, v);
    }

    private static Tcp parseHostPort(String original, String v) {
        String host;
        String port;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + original + "' is not [v6-address]:port");
            }
            host = v.substring(1, close);
            port = v.substring(close + 2);
        } else {
            int colon = v.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + original + "' has no port (expected host:port or unix:/path)");
            }
            host = v.substring(0, colon);
            port = v.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + original + "': write IPv6 addresses as [addr]:port");
            }
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + original + "' has port '" + port + "', which is not a number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("'" + original + "' has port " + p + ", outside 0..65535");
        }
        return new Tcp(host, p);
    }
}
