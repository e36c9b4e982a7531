package dev.itt.bench;

import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.FrameEncoder;
import dev.itt.mux.wire.NativeCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The native codec on its own, as the session drives it: DATA headers encoded into pooled buffers (payloads are
 * never copied), and a stream of DATA frames decoded from reads of a socket's size, including frames split across
 * reads. Each score is frames per second; bytes per second is that times the payload size. Run with
 * {@code bench/jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    /** Frames per benchmark call: one socket read's worth for 16 KiB frames, and the same count for small ones. */
    static final int FRAMES = 64;
    /** A socket read as Netty's adaptive allocator would make it under load. */
    static final int READ_SIZE = 64 * 1024;

    @Param({"64", "16384"})
    int payload;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final NativeCodec codec = new NativeCodec();
    private ByteBuf wire;
    /** Takes what the decoder emits without a session's work: counts, releases each payload, records nothing. */
    private final FrameCollector sink = FrameCollector.counting();

    @Setup(Level.Trial)
    public void setUp() {
        wire = alloc.directBuffer(FRAMES * (9 + payload));
        byte[] bytes = new byte[payload];
        for (int i = 0; i < FRAMES; i++) {
            FrameEncoder.writeDataHeader(wire, 1 + 2 * (i % 8), payload);
            wire.writeBytes(bytes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        wire.release();
        codec.release();
    }

    /** One DATA header per frame, into a pooled buffer, as the session sends it ahead of the payload. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void encodeDataHeader(Blackhole bh) {
        for (int i = 0; i < FRAMES; i++) {
            ByteBuf header = codec.dataHeader(alloc, 1 + 2 * (i % 8), payload);
            bh.consume(header.readableBytes());
            header.release();
        }
    }

    /** A WINDOW_UPDATE, the control frame sent most often. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void encodeWindowUpdate(Blackhole bh) {
        for (int i = 0; i < FRAMES; i++) {
            ByteBuf frame = codec.windowUpdate(alloc, 1 + 2 * (i % 8), 128 * 1024);
            bh.consume(frame.readableBytes());
            frame.release();
        }
    }

    /**
     * {@link #FRAMES} DATA frames arriving in reads of {@link #READ_SIZE} bytes (frames straddle reads, so the
     * decoder's cumulation is exercised); every payload is handed to the listener and released there. The bytes
     * the listener has counted are returned, for JMH to consume.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decodeData() throws Exception {
        int total = wire.readableBytes();
        for (int offset = 0; offset < total; offset += READ_SIZE) {
            int n = Math.min(READ_SIZE, total - offset);
            codec.decode(wire.retainedSlice(offset, n), sink);
        }
        return sink.dataBytes();
    }
}
