package dev.itt.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition or a port, with a deadline that fails the test; never a fixed sleep. */
public final class Await {
    private Await() {}

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public static void port(int port, Duration timeout) {
        until("127.0.0.1:" + port + " to accept connections", timeout, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * A port nothing listens on now, for a test that must name a port before the process that binds it starts.
     * Below the kernel's ephemeral range (32768 and up): a port from that range can meanwhile become the local port
     * of any outgoing connection on the machine, which keeps the listener from binding it, and a connect to it while
     * nothing listens can even connect the socket to itself. Never the same port twice in one test JVM.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = 10_000 + RANDOM.nextInt(32_768 - 10_000);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port below the ephemeral range");
    }

    private static final java.util.Random RANDOM = new java.util.Random();
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
