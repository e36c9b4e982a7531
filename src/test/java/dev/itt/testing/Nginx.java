package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real nginx (Debian nginx-light) serving a directory on a loopback port, with its own prefix and config. */
public final class Nginx implements AutoCloseable {
    /**
     * The access log of {@link #serveBehindProxyProtocol}: the PROXY header's source and destination, the peer the
     * connection came from, the request and its status.
     */
    private static final String PROXY_LOG_FORMAT = "'$proxy_protocol_addr:$proxy_protocol_port"
            + " $proxy_protocol_server_addr:$proxy_protocol_server_port $remote_addr \"$request\" $status'";

    private final Peers.Process process;
    private final int port;
    private final Path dir;

    private Nginx(Peers.Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static Nginx serve(Path dir, Path root) throws IOException {
        return start(dir, root, "", "");
    }

    /**
     * An nginx whose listen expects a PROXY protocol header (version 1 or 2) first on each connection, and logs
     * what it said: see {@link #accessLog()}.
     */
    public static Nginx serveBehindProxyProtocol(Path dir, Path root) throws IOException {
        return start(dir, root, " proxy_protocol", " proxied");
    }

    /** An nginx serving {@code root} on a Unix socket at {@code socket} (a stand-in for a daemon's API socket). */
    public static Nginx serveOnUnixSocket(Path dir, Path root, Path socket) throws IOException {
        return start(dir, root, "unix:" + socket, "", -1);
    }

    private static Nginx start(Path dir, Path root, String listenOptions, String logFormat) throws IOException {
        int port = Await.freePort();
        return start(dir, root, "127.0.0.1:" + port + listenOptions, logFormat, port);
    }

    /** @param port the TCP port in {@code listen}, or -1 for a Unix socket */
    private static Nginx start(Path dir, Path root, String listen, String logFormat, int port) throws IOException {
        String nginx = Peers.require("nginx", "nginx-light");
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(conf, String.join("\n",
                "user root;",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + ";",
                "events { worker_connections 1024; }",
                "http {",
                "  log_format proxied " + PROXY_LOG_FORMAT + ";",
                "  access_log " + dir.resolve("access.log") + logFormat + ";",
                "  client_body_temp_path " + dir.resolve("tmp") + ";",
                "  proxy_temp_path " + dir.resolve("tmp") + ";",
                "  fastcgi_temp_path " + dir.resolve("tmp") + ";",
                "  uwsgi_temp_path " + dir.resolve("tmp") + ";",
                "  scgi_temp_path " + dir.resolve("tmp") + ";",
                "  server { listen " + listen + "; root " + root + "; }",
                "}", ""));
        Peers.Process p = Peers.Process.start(dir.resolve("nginx.out"), nginx, "-p", dir.toString(), "-c",
                conf.toString(), "-g", "daemon off;");
        try {
            if (port > 0) {
                Await.port(port, java.time.Duration.ofSeconds(10));
            } else {
                Path socket = Path.of(listen.substring("unix:".length()));
                Await.until("nginx's socket " + socket, java.time.Duration.ofSeconds(10), () -> Files.exists(socket));
            }
        } catch (AssertionError e) {
            p.close();
            throw new AssertionError("nginx did not start: " + p.log() + readOr(dir.resolve("error.log")), e);
        }
        return new Nginx(p, port, dir);
    }

    private static String readOr(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    public int port() {
        return port;
    }

    /** The access log's lines so far (nginx writes a request's line once it has answered it). */
    public List<String> accessLog() {
        return readOr(dir.resolve("access.log")).lines().toList();
    }

    /** The error log, for a failure message. */
    public String errorLog() {
        return readOr(dir.resolve("error.log"));
    }

    @Override
    public void close() {
        process.close();
    }
}
