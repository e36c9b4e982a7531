package dev.itt.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A long network path on loopback: a TCP relay in front of a port that holds every byte for a fixed time in each
 * direction and, when given a rate, lets at most that many bytes a second out of each direction, queueing the rest
 * (a bottleneck link and its buffer). The relay takes bytes off the sending socket at once, so the delay is what an
 * application's own flow control sees, not TCP's. Plain threads: two per direction of each connection.
 *
 * <p>{@link #held} makes a relay whose connections are accepted (and counted) at once but reach the target only
 * after {@link #release()}: in front of a proxy, a dial through it that hangs until the test lets it go.
 */
public final class DelayRelay implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    /** Bytes a direction holds before it stops reading (the bottleneck's buffer). */
    private static final int QUEUE_CAP = 8 * 1024 * 1024;

    private final ServerSocket listener;
    private final int targetPort;
    private final long delayNanos;
    private final long bytesPerSecond;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Open: connections go on to the target; closed ({@link #held}), they wait for {@link #release()}. */
    private final CountDownLatch released;
    private final AtomicInteger accepted = new AtomicInteger();

    private DelayRelay(int targetPort, Duration oneWay, long bytesPerSecond, boolean held) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.delayNanos = oneWay.toNanos();
        this.bytesPerSecond = bytesPerSecond;
        this.released = new CountDownLatch(held ? 1 : 0);
        Thread accept = new Thread(this::acceptLoop, "delay-relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** Relays to {@code targetPort} on loopback, {@code oneWay} each way, without a rate limit. */
    public static DelayRelay start(int targetPort, Duration oneWay) throws IOException {
        return new DelayRelay(targetPort, oneWay, 0, false);
    }

    /** As {@link #start(int, Duration)}, carrying at most {@code bytesPerSecond} in each direction. */
    public static DelayRelay start(int targetPort, Duration oneWay, long bytesPerSecond) throws IOException {
        return new DelayRelay(targetPort, oneWay, bytesPerSecond, false);
    }

    /** Relays to {@code targetPort} without delay, but each connection only from {@link #release()} on. */
    public static DelayRelay held(int targetPort) throws IOException {
        return new DelayRelay(targetPort, Duration.ZERO, 0, true);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far, held ones included. */
    public int accepted() {
        return accepted.get();
    }

    /** A {@link #held} relay lets the connections it holds, and every later one, through to the target. */
    public void release() {
        released.countDown();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket from = listener.accept();
                sockets.add(from);
                accepted.incrementAndGet();
                if (released.getCount() == 0) {
                    relay(from);
                } else {
                    Thread wait = new Thread(() -> {
                        try {
                            released.await();
                            relay(from);
                        } catch (IOException | InterruptedException e) {
                            close(from);
                        }
                    }, "delay-relay-held");
                    wait.setDaemon(true);
                    wait.start();
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket from) throws IOException {
        Socket to = new Socket();
        sockets.add(to);
        to.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        new Direction(from, to).start();
        new Direction(to, from).start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // it is being given up anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** One way of one connection: a reader that stamps and queues chunks, a writer that sends them when due. */
    private final class Direction {
        private final Socket in;
        private final Socket out;
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        private long queued;

        Direction(Socket in, Socket out) {
            this.in = in;
            this.out = out;
        }

        void start() {
            Thread reader = new Thread(this::read, "delay-relay-read");
            Thread writer = new Thread(this::write, "delay-relay-write");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void read() {
            try (InputStream is = in.getInputStream()) {
                byte[] buf = new byte[CHUNK];
                while (true) {
                    int n = is.read(buf);
                    synchronized (this) {
                        while (queued >= QUEUE_CAP) {
                            wait();
                        }
                        queue.add(new Chunk(System.nanoTime() + delayNanos, n < 0 ? null : Arrays.copyOf(buf, n),
                                Math.max(n, 0)));
                        queued += Math.max(n, 0);
                        notifyAll();
                    }
                    if (n < 0) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                enqueueEnd();
            }
        }

        private synchronized void enqueueEnd() {
            queue.add(new Chunk(System.nanoTime() + delayNanos, null, 0));
            notifyAll();
        }

        private void write() {
            long linkFreeAt = 0;
            try {
                OutputStream os = out.getOutputStream();
                while (true) {
                    Chunk c;
                    synchronized (this) {
                        while (queue.isEmpty()) {
                            wait();
                        }
                        c = queue.peek();
                    }
                    sleepUntil(c.due);
                    if (c.bytes == null || c.length == 0) {
                        out.shutdownOutput();
                        return;
                    }
                    if (bytesPerSecond > 0) {
                        // the link sends one chunk after another at its rate: a chunk leaves once the last has
                        linkFreeAt = Math.max(linkFreeAt, System.nanoTime()) + c.length * 1_000_000_000L / bytesPerSecond;
                        sleepUntil(linkFreeAt);
                    }
                    os.write(c.bytes, 0, c.length);
                    synchronized (this) {
                        queue.poll();
                        queued -= c.length;
                        notifyAll();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the connection is gone; the reader ends on its own socket
            }
        }
    }

    private static void sleepUntil(long dueNanos) {
        for (long left = dueNanos - System.nanoTime(); left > 0; left = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private record Chunk(long due, byte[] bytes, int length) {}
}
