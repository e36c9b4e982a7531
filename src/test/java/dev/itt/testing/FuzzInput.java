package dev.itt.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/**
 * Fuzz input as the code under test gets bytes in production: in pooled direct buffers, which Netty's leak detector
 * tracks (run with {@code -Dio.netty.leakDetection.level=paranoid}, a buffer a decoder or session forgets to release
 * is reported as {@code LEAK:}; heap buffers from {@code Unpooled} are never tracked).
 */
public final class FuzzInput {
    static {
        // the fuzz script asks for a level and checks this line, so that a run whose flag never reached the test
        // JVM cannot pass for one with the leak detector on
        String wanted = System.getProperty("itt.fuzz.leak-level");
        if (wanted != null) {
            ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
            if (!level.name().equals(wanted)) {
                throw new IllegalStateException("leak detection is " + level + ", not " + wanted);
            }
            System.out.println("itt fuzz: leak detection " + level);
        }
    }

    /** Where fuzz targets allocate what they give the code under test. */
    public static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private FuzzInput() {}

    /** A pooled direct buffer holding {@code input[off, off+len)}; whoever it is given to must release it. */
    public static ByteBuf pooled(byte[] input, int off, int len) {
        return ALLOC.directBuffer(Math.max(len, 1)).writeBytes(input, off, len);
    }

    /** The input cut in two where its last byte says, as two reads from a socket. */
    public static int split(byte[] input) {
        return input.length == 0 ? 0 : (input[input.length - 1] & 0xFF) % (input.length + 1);
    }
}
