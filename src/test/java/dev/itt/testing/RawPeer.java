package dev.itt.testing;

import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.FrameDecoder;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.MuxException;
import dev.itt.mux.wire.WireConstants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A hostile peer: a plain blocking socket that writes whatever frames a test builds with {@link FrameEncoder}
 * and decodes what the other end sends back with a {@link FrameDecoder}, sharing no session code with what it
 * attacks. Usually a fake agent dialing a real server end ({@link #connect}); {@link RawServer} makes it a fake
 * server end that a real agent dials. Reading is explicit: {@link #handshake} reads on the caller's thread,
 * {@link #startReading} then reads on a thread of its own; a peer that never calls it never reads its socket.
 */
public final class RawPeer implements AutoCloseable {
    /** The session window a real agent grants after the handshake (PROTOCOL.md §4.1, default 64 MiB). */
    private static final int SESSION_WINDOW_INCREMENT = 64 * 1024 * 1024 - WireConstants.INITIAL_SESSION_WINDOW;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FrameDecoder decoder = new FrameDecoder();
    /** Every frame decoded so far, in order. */
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private volatile String endedHow;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A connection a {@link RawServer} accepted from a real agent. */
    static RawPeer accepted(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) TunnelFixture.WAIT.toMillis());
        return new RawPeer(s);
    }

    /** Connects to the server end's tunnel port; {@code receiveBuffer} > 0 shrinks the socket's receive buffer. */
    public static RawPeer connect(int port, int receiveBuffer) throws IOException {
        return connect(null, port, receiveBuffer);
    }

    /**
     * Connects from the loopback address {@code from} (127.0.0.2 is a source of its own: Linux answers on all of
     * 127/8), or from any address when null.
     */
    public static RawPeer connect(String from, int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connect, so the window it announces is small too
        }
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) TunnelFixture.WAIT.toMillis()); // a stuck test fails instead of hanging
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawPeer(s);
    }

    public static RawPeer connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** Writes the frames {@code build} encodes, in one write. */
    public void send(Consumer<ByteBuf> build) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            build.accept(buf);
            out.write(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
            out.flush();
        } finally {
            buf.release();
        }
    }

    /** As {@link #send}, but false instead of an exception once the server end has closed the connection. */
    public boolean trySend(Consumer<ByteBuf> build) {
        try {
            send(build);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the frames {@code build} encodes one byte per write (each its own segment: TCP_NODELAY is on). */
    public void dribble(Consumer<ByteBuf> build) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            build.accept(buf);
            while (buf.isReadable()) {
                out.write(buf.readByte());
                out.flush();
            }
        } finally {
            buf.release();
        }
    }

    /**
     * HELLO, CHALLENGE, empty AUTH, WELCOME, as an agent without a token does it (PROTOCOL.md §4.1), then the
     * session-window grant a real agent sends. Reads on the caller's thread.
     */
    public void handshake(String tunnel) throws IOException {
        handshake(tunnel, true);
    }

    /** As {@link #handshake(String)}; without {@code grant} the server end keeps the initial 256 KiB session credit. */
    public void handshake(String tunnel, boolean grant) throws IOException {
        handshake(tunnel, grant, 0);
    }

    /** As {@link #handshake(String, boolean)}, with these flags on HELLO (PROTOCOL.md §3: ADDRESSES is 0x1). */
    public void handshake(String tunnel, boolean grant, int helloFlags) throws IOException {
        byte[] nonce = nonce();
        send(out -> {
            FrameEncoder.writeHello(out, WireConstants.VERSION, tunnel, nonce);
            out.setByte(out.readerIndex() + 4, helloFlags); // the header's flags byte (§2)
        });
        readUntil(Frame.Challenge.class::isInstance);
        send(out -> FrameEncoder.writeAuth(out, new byte[0]));
        readUntil(Frame.Welcome.class::isInstance);
        if (grant) {
            send(out -> FrameEncoder.writeWindowUpdate(out, 0, SESSION_WINDOW_INCREMENT));
        }
    }

    /**
     * A PING with a payload of its own, waited for until its ACK is back: the other end handles frames in order, so
     * whatever it sent in answer to the frames before the PING has arrived by then. Needs the reader thread.
     */
    public void fence() throws IOException {
        long payload = new SecureRandom().nextLong();
        send(out -> FrameEncoder.writePing(out, false, payload));
        await(Frame.Ping.class, p -> p.ack() && p.payload() == payload);
    }

    public static byte[] nonce() {
        byte[] nonce = new byte[WireConstants.NONCE_LENGTH];
        new SecureRandom().nextBytes(nonce);
        return nonce;
    }

    /** Reads on the caller's thread until a frame {@code wanted} arrives; returns it. */
    public Frame readUntil(Predicate<Frame> wanted) throws IOException {
        int seen = 0;
        while (true) {
            for (; seen < frames.size(); seen++) {
                if (wanted.test(frames.get(seen))) {
                    return frames.get(seen);
                }
            }
            if (!readOnce()) {
                throw new AssertionError("connection " + endedHow + " before the frame wanted; got " + frames);
            }
        }
    }

    /** From now on a thread reads and decodes everything the server end sends, until the connection ends. */
    public void startReading() {
        Thread t = new Thread(() -> {
            try {
                while (readOnce()) {
                    // frames go to the list
                }
            } catch (IOException e) {
                end("failed: " + e);
            }
        }, "raw-peer-reader");
        t.setDaemon(true);
        t.start();
    }

    /** One read, decoded; false once the connection has ended (EOF, reset, or a frame the decoder refused). */
    private boolean readOnce() throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        try {
            n = in.read(buf);
        } catch (java.net.SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            end("reset: " + e.getMessage());
            return false;
        }
        if (n < 0) {
            end("closed by the other end");
            return false;
        }
        FrameCollector collector = new FrameCollector();
        try {
            decoder.decode(Unpooled.wrappedBuffer(buf, 0, n), collector);
        } catch (MuxException e) {
            end("unreadable: " + e.getMessage());
            return false;
        } finally {
            frames.addAll(collector.frames);
        }
        return true;
    }

    private void end(String how) {
        endedHow = how;
        ended = true;
        decoder.release();
    }

    /** The frames decoded so far. */
    public List<Frame> frames() {
        return frames;
    }

    /** The first frame {@code wanted} decoded by the reader thread, waiting for it; fails if the connection ends. */
    public <T extends Frame> T await(Class<T> type, Predicate<T> wanted) {
        Await.until("a " + type.getSimpleName() + " from the other end", TunnelFixture.WAIT,
                () -> find(type, wanted) != null || ended);
        T found = find(type, wanted);
        if (found == null) {
            throw new AssertionError("connection " + endedHow + " without the " + type.getSimpleName()
                    + " wanted; got " + frames);
        }
        return found;
    }

    /** The GO_AWAY the other end sent, waiting for it. */
    public Frame.GoAway awaitGoAway() {
        return await(Frame.GoAway.class, g -> true);
    }

    private <T extends Frame> T find(Class<T> type, Predicate<T> wanted) {
        for (Frame f : frames) {
            if (type.isInstance(f) && wanted.test(type.cast(f))) {
                return type.cast(f);
            }
        }
        return null;
    }

    /** Waits until the other end has closed the connection (the reader saw EOF or a reset). */
    public void awaitClosed() {
        Await.until("the other end to close the hostile connection", TunnelFixture.WAIT, () -> ended);
    }

    public boolean ended() {
        return ended;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
