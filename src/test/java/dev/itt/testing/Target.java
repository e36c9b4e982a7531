package dev.itt.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream service for tests, on loopback TCP or a Unix socket, written with plain blocking JDK sockets so it
 * shares no code with what it tests. Modes: echo; read to EOF, then answer with the SHA-256 of what came and the
 * bytes themselves (a reply that only comes after the half-close); or send N seeded bytes and close.
 */
public final class Target implements AutoCloseable {
    /**
     * ECHO: echoes until EOF. DIGEST_AFTER_EOF: reads to EOF, then sends the SHA-256 and the bytes back.
     * SOURCE: sends {@code sourceBytes} seeded-random bytes. GOODBYE_FIRST: sends "bye" and shuts down its
     * output at once, then reads to EOF and records the SHA-256 of what it got ({@link #lastDigest}).
     */
    public enum Mode { ECHO, DIGEST_AFTER_EOF, SOURCE, GOODBYE_FIRST }

    private final Mode mode;
    private final long sourceBytes;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "target");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<byte[]> lastDigest =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private final java.util.Set<String> peers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ServerSocket tcp;
    private ServerSocketChannel unix;
    private Path unixPath;

    private Target(Mode mode, long sourceBytes) {
        this.mode = mode;
        this.sourceBytes = sourceBytes;
    }

    public static Target tcp(Mode mode, long sourceBytes) throws IOException {
        Target t = new Target(mode, sourceBytes);
        t.tcp = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        t.threads.execute(t::acceptTcp);
        return t;
    }

    public static Target unix(Path path, Mode mode, long sourceBytes) throws IOException {
        Target t = new Target(mode, sourceBytes);
        Files.deleteIfExists(path);
        t.unixPath = path;
        t.unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        t.unix.bind(UnixDomainSocketAddress.of(path));
        t.threads.execute(t::acceptUnix);
        return t;
    }

    public int port() {
        return tcp.getLocalPort();
    }

    public String address() {
        return tcp != null ? "127.0.0.1:" + port() : "unix:" + unixPath;
    }

    public int accepted() {
        return accepted.get();
    }

    /** GOODBYE_FIRST: the SHA-256 of what the last connection sent after our FIN, once it reached EOF. */
    public byte[] lastDigest() {
        return lastDigest.get();
    }

    /** The most connections that were open at the same time. */
    public int peakOpen() {
        return peakOpen.get();
    }

    /** The source addresses TCP connections came from (a proxy bound to its own loopback address shows here). */
    public java.util.Set<String> peers() {
        return peers;
    }

    private void acceptTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                accepted.incrementAndGet();
                peers.add(s.getInetAddress().getHostAddress());
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void acceptUnix() {
        while (unix.isOpen()) {
            try {
                SocketChannel ch = unix.accept();
                accepted.incrementAndGet();
                threads.execute(() -> serveUnix(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (s) {
            handle(s.getInputStream(), s.getOutputStream(), () -> s.shutdownOutput());
        } catch (IOException e) {
            // the peer went away; that is the test's business, not the target's
        } finally {
            open.decrementAndGet();
        }
    }

    private void serveUnix(SocketChannel ch) {
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (ch) {
            handle(Channels.newInputStream(ch), Channels.newOutputStream(ch), () -> ch.shutdownOutput());
        } catch (IOException e) {
            // as above
        } finally {
            open.decrementAndGet();
        }
    }

    private interface Shutdown {
        void run() throws IOException;
    }

    private void handle(InputStream in, OutputStream out, Shutdown shutdownOutput) throws IOException {
        byte[] buf = new byte[64 * 1024];
        switch (mode) {
            case ECHO -> {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
                shutdownOutput.run();
            }
            case DIGEST_AFTER_EOF -> {
                MessageDigest sha = sha256();
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    all.write(buf, 0, n);
                }
                out.write(sha.digest());
                all.writeTo(out);
                out.flush();
                shutdownOutput.run();
            }
            case GOODBYE_FIRST -> {
                out.write("bye".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                shutdownOutput.run();
                MessageDigest sha = sha256();
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
                lastDigest.set(sha.digest());
            }
            case SOURCE -> {
                Random r = new Random(sourceBytes);
                long left = sourceBytes;
                while (left > 0) {
                    r.nextBytes(buf);
                    int n = (int) Math.min(buf.length, left);
                    out.write(buf, 0, n);
                    left -= n;
                }
                out.flush();
                shutdownOutput.run();
                while (in.read(buf) > 0) {
                    // wait for the peer to close
                }
            }
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes SOURCE mode sends for {@code n}, for checking what arrived. */
    public static byte[] sourceDigest(long n) {
        MessageDigest sha = sha256();
        Random r = new Random(n);
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            r.nextBytes(buf);
            int k = (int) Math.min(buf.length, left);
            sha.update(buf, 0, k);
            left -= k;
        }
        return sha.digest();
    }

    @Override
    public void close() throws IOException {
        if (tcp != null) {
            tcp.close();
        }
        if (unix != null) {
            unix.close();
            Files.deleteIfExists(unixPath);
        }
        threads.shutdownNow();
    }
}
