package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.itt.testing.Await;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import dev.itt.testing.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A user's echo transfer that keeps flowing for as long as a test needs: one thread writes seeded bytes at a
 * steady pace (about 16 MB/s, so the attack under test gets its share of the two cores), another reads the echo
 * back and hashes it. {@link #finish} half-closes, reads to EOF and checks the echo byte for byte.
 */
final class FlowingEcho implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final long NANOS_PER_CHUNK = 4_000_000;

    private final Socket user;
    private final MessageDigest sent = Target.sha256();
    private final MessageDigest received = Target.sha256();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesEchoed = new AtomicLong();
    private volatile boolean stop;
    private final CompletableFuture<Void> writer;
    private final CompletableFuture<Void> reader;

    private FlowingEcho(Socket user) {
        this.user = user;
        this.writer = CompletableFuture.runAsync(this::write, r -> daemon(r, "echo-writer"));
        this.reader = CompletableFuture.runAsync(this::read, r -> daemon(r, "echo-reader"));
    }

    /** Starts the transfer through the server end's user port and waits until the first echo came back. */
    static FlowingEcho start(int userPort) throws IOException {
        FlowingEcho echo = new FlowingEcho(Users.connect(userPort));
        echo.awaitMore(1);
        return echo;
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void write() {
        Random random = new Random(42);
        byte[] chunk = new byte[CHUNK];
        long next = System.nanoTime();
        try {
            OutputStream out = user.getOutputStream();
            while (!stop) {
                random.nextBytes(chunk);
                out.write(chunk);
                sent.update(chunk);
                bytesSent.addAndGet(chunk.length);
                next += NANOS_PER_CHUNK;
                long ahead = next - System.nanoTime();
                if (ahead > 0) {
                    LockSupport.parkNanos(ahead); // pacing, not waiting for anything
                }
            }
            user.shutdownOutput();
        } catch (IOException e) {
            throw new AssertionError("the well-behaved user's writes failed after " + bytesSent + " bytes", e);
        }
    }

    private void read() {
        byte[] buf = new byte[CHUNK];
        try {
            InputStream in = user.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                received.update(buf, 0, n);
                bytesEchoed.addAndGet(n);
            }
        } catch (IOException e) {
            throw new AssertionError("the well-behaved user's reads failed after " + bytesEchoed + " bytes", e);
        }
    }

    long echoed() {
        return bytesEchoed.get();
    }

    /** Waits until {@code bytes} more have come back than had when called. */
    void awaitMore(long bytes) {
        long from = bytesEchoed.get();
        Await.until(bytes + " more echoed bytes (" + from + " so far)", TunnelFixture.WAIT,
                () -> bytesEchoed.get() - from >= bytes || reader.isDone());
        if (reader.isDone()) {
            reader.join(); // rethrows the reader's failure
            throw new AssertionError("the echo ended early, after " + bytesEchoed + " bytes");
        }
    }

    /** Stops writing, half-closes, reads the rest of the echo and asserts it is what was sent, byte for byte. */
    void finish() throws Exception {
        stop = true;
        writer.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
        reader.get(TunnelFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(bytesSent.get(), bytesEchoed.get(), "every byte sent came back");
        assertArrayEquals(sent.digest(), received.digest(), "the echo is byte-exact");
    }

    @Override
    public void close() throws IOException {
        stop = true;
        user.close();
    }
}
