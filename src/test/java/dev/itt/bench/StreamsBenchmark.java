package dev.itt.bench;

import dev.itt.mux.Dialect;
import dev.itt.mux.MuxStream;
import dev.itt.mux.Role;
import dev.itt.mux.Session;
import dev.itt.mux.SessionConfig;
import dev.itt.mux.SessionHandler;
import dev.itt.mux.StreamHandler;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.UserAddresses;
import dev.itt.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one frame to one stream of a session that holds {@link #streams} open streams: a real server session
 * opens them over an in-memory connection (handshake included), then the benchmark plays the server to the agent's
 * session, with the real codec, stream table, flow control and sender. Frames go to every stream in a shuffled
 * order, so the stream table and the streams themselves are read as a busy tunnel reads them, not one hot stream.
 * Each score is nanoseconds per frame; flat from 1 to 10,000 streams is the aim (issue 14). Run with
 * {@code bench/jmh StreamsBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// The reads are built once: whether the leak detector happened to sample one of them (1 in 128, and then every
// payload sliced from it costs a stack trace) would decide the score, more so the more reads there are.
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class StreamsBenchmark {
    /** Frames per benchmark call, in one read of the tunnel connection. */
    static final int FRAMES = 64;
    /** A small payload, so that the score is the per-frame work, not the copying of bytes. */
    static final int PAYLOAD = 64;

    @Param({"1", "10", "100", "1000", "10000"})
    int streams;

    private final MemoryTransport serverSide = new MemoryTransport();
    private final MemoryTransport agentSide = new MemoryTransport();
    private Session agent;
    /** The agent's streams by id (ids run from 1 up, as the server opens them). */
    private MuxStream[] byId;
    /** Stream ids of each read's frames: every stream, shuffled, over as many reads as that takes. */
    private int[][] order;
    private ByteBuf[] dataReads;
    private ByteBuf[] updateReads;
    private ByteBuf payload;
    private int next;

    /** The agent's end of a stream: bytes leave at once (as into a socket that keeps up), and credit goes back. */
    private static final StreamHandler UPSTREAM = new StreamHandler() {
        @Override
        public void onData(MuxStream stream, ByteBuf data) {
            int n = data.readableBytes();
            data.release();
            stream.consumed(n);
        }

        @Override
        public void onFin(MuxStream stream) {}

        @Override
        public void onReset(MuxStream stream, ErrorCode code, String reason) {
            throw new IllegalStateException("stream " + stream.id() + " reset in the benchmark: " + reason);
        }

        @Override
        public void onWritable(MuxStream stream) {}
    };

    @Setup(Level.Trial)
    public void setUp() {
        // The flood limits count frames per second of the session's tick, which a benchmark never calls.
        SessionConfig config = TestConfigs.session("bench", "bench-token",
                Map.of("max-control-frames-per-second", String.valueOf(Integer.MAX_VALUE)));
        byId = new MuxStream[streams + 1];
        Session server = new Session(Role.SERVER, serverSide, config, new SessionHandler() {}, Dialect.nativeProtocol());
        agent = new Session(Role.AGENT, agentSide, config, new SessionHandler() {
            @Override
            public void onStreamOpened(Session session, MuxStream stream, UserAddresses addresses) {
                stream.handler(UPSTREAM);
                stream.accept();
                byId[stream.id()] = stream;
            }

            @Override
            public void onClosed(Session session, ErrorCode code, String reason) {
                throw new IllegalStateException("agent session closed in the benchmark: " + reason);
            }
        }, Dialect.nativeProtocol());
        serverSide.peer(agent);
        agentSide.peer(server);
        long now = System.nanoTime();
        server.start(now);
        agent.start(now);
        settle();
        for (int i = 0; i < streams; i++) {
            if (server.open() == null) {
                throw new IllegalStateException("the server session refused stream " + (i + 1));
            }
            if (i % 512 == 0) {
                settle(); // the agent's dials settle as they come, within max-pending-opens
            }
        }
        settle();
        if (!agent.isEstablished() || agent.streamCount() != streams) {
            throw new IllegalStateException("the agent holds " + agent.streamCount() + " of " + streams + " streams");
        }
        agentSide.discardWrites(); // from here on the benchmark is the server
        serverSide.discardWrites();
        buildReads();
    }

    private void settle() {
        while (serverSide.deliver() | agentSide.deliver()) {
            // until neither end has anything left to send
        }
    }

    private void buildReads() {
        int[] ids = new int[streams];
        for (int i = 0; i < streams; i++) {
            ids[i] = i + 1;
        }
        Random random = new Random(14);
        for (int i = streams - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        int reads = (streams + FRAMES - 1) / FRAMES;
        order = new int[reads][FRAMES];
        dataReads = new ByteBuf[reads];
        updateReads = new ByteBuf[reads];
        byte[] bytes = new byte[PAYLOAD];
        for (int r = 0; r < reads; r++) {
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(FRAMES * (9 + PAYLOAD));
            ByteBuf updates = PooledByteBufAllocator.DEFAULT.directBuffer((FRAMES + 1) * 13);
            for (int f = 0; f < FRAMES; f++) {
                int id = ids[(r * FRAMES + f) % streams];
                order[r][f] = id;
                FrameEncoder.writeDataHeader(data, id, PAYLOAD);
                data.writeBytes(bytes);
                FrameEncoder.writeWindowUpdate(updates, id, PAYLOAD);
            }
            FrameEncoder.writeWindowUpdate(updates, 0, FRAMES * PAYLOAD);
            dataReads[r] = data;
            updateReads[r] = updates;
        }
        payload = PooledByteBufAllocator.DEFAULT.directBuffer(PAYLOAD).writeBytes(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int r = 0; r < dataReads.length; r++) {
            dataReads[r].release();
            updateReads[r].release();
        }
        payload.release();
    }

    private int nextRead() {
        int r = next;
        next = r + 1 == order.length ? 0 : r + 1;
        return r;
    }

    /**
     * DATA frames in: one read of {@link #FRAMES} frames, each routed to its stream, handed to its handler and
     * consumed at once, with the WINDOW_UPDATEs that returns sent as they come due (one per 128 KiB a stream
     * consumed). The agent's receive side, as a user's upload reaches the upstream.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void receiveData() {
        agent.onRead(dataReads[nextRead()].retainedDuplicate());
    }

    /**
     * DATA frames out and WINDOW_UPDATEs in: {@link #FRAMES} writes, each to its stream and out at once as a DATA
     * frame, then one read of the WINDOW_UPDATEs that give that credit back (one per stream written, and one for
     * the session). The agent's send side, as an upstream's answer goes to the user.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void sendDataReceiveWindowUpdate() {
        int r = nextRead();
        int[] ids = order[r];
        for (int f = 0; f < FRAMES; f++) {
            byId[ids[f]].write(payload.retainedDuplicate());
        }
        agent.onRead(updateReads[r].retainedDuplicate());
    }
}
