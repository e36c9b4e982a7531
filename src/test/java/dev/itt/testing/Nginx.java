package dev.itt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real nginx (Debian nginx-light) serving a directory on a loopback port, with its own prefix and config. */
public final class Nginx implements AutoCloseable {
    private final Peers.Process process;
    private final int port;

    private Nginx(Peers.Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Nginx serve(Path dir, Path root) throws IOException {
        String nginx = Peers.require("nginx", "nginx-light");
        int port = Await.freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(conf, String.join("\n",
                "user root;",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + ";",
                "events { worker_connections 1024; }",
                "http {",
                "  access_log " + dir.resolve("access.log") + ";",
                "  client_body_temp_path " + dir.resolve("tmp") + ";",
                "  proxy_temp_path " + dir.resolve("tmp") + ";",
                "  fastcgi_temp_path " + dir.resolve("tmp") + ";",
                "  uwsgi_temp_path " + dir.resolve("tmp") + ";",
                "  scgi_temp_path " + dir.resolve("tmp") + ";",
                "  server { listen 127.0.0.1:" + port + "; root " + root + "; }",
                "}", ""));
        Peers.Process p = Peers.Process.start(dir.resolve("nginx.out"), nginx, "-p", dir.toString(), "-c",
                conf.toString(), "-g", "daemon off;");
        try {
            Await.port(port, java.time.Duration.ofSeconds(10));
        } catch (AssertionError e) {
            p.close();
            throw new AssertionError("nginx did not start: " + p.log() + readOr(dir.resolve("error.log")), e);
        }
        return new Nginx(p, port);
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

    @Override
    public void close() {
        process.close();
    }
}
