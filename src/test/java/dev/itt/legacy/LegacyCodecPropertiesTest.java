package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.itt.mux.Role;
import dev.itt.mux.wire.ErrorCode;
import dev.itt.mux.wire.Frame;
import dev.itt.mux.wire.FrameCollector;
import dev.itt.mux.wire.MuxException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of the legacy decoder over many seeded-random cases; a failure names its seed. */
class LegacyCodecPropertiesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A codec with a cap no message of these tests comes near. */
    static LegacyCodec codec(Role role) {
        return new LegacyCodec(role, 1024 * 1024);
    }

    /** The server codec's OPEN for {@code user}: the address it keys the stream by comes first. */
    static ByteBuf open(LegacyCodec codec, int streamId, java.net.SocketAddress user) {
        codec.nextUser(user);
        return codec.open(ALLOC, streamId, null);
    }
    private static final String[] FAILURES = {"1 CONNECT_FAILED", "3 NETWORK_UNREACHABLE", "4 HOST_UNREACHABLE",
        "5 CONNECT_REFUSED"};

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    /** Valid traffic in one direction, the codec that reads it, the events it must decode to, where messages start. */
    private record Traffic(LegacyCodec reader, ByteBuf wire, List<Frame> events, List<Integer> starts) {}

    /** One message on the wire; {@code payload} is null for messages without one. */
    private record Message(int command, String payload, byte[] bytes) {}

    /** One user connection's messages, written a message at a time so that users interleave. */
    private static final class User {
        /** The stream id the reader gives this user (agent: counted at its CONNECT); -1 for a stray. */
        int id;
        final byte[] key;
        final List<Message> messages = new ArrayList<>();

        User(int id, byte[] key) {
            this.id = id;
            this.key = key;
        }

        void add(int command, String payload) {
            ByteBuf b = ALLOC.heapBuffer();
            b.writeByte(LegacyWire.VERSION).writeByte(command).writeByte(0).writeBytes(key);
            if (payload != null) {
                b.writeInt(payload.length()).writeCharSequence(payload, StandardCharsets.US_ASCII);
            }
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes).release();
            messages.add(new Message(command, payload, bytes));
        }
    }

    /** Address type, address and port of a random user; IPv6 ones never look IPv4-mapped. */
    private static byte[] randomKey(Random r) {
        boolean v4 = r.nextBoolean();
        byte[] key = new byte[1 + (v4 ? 4 : 16) + 2];
        r.nextBytes(key);
        key[0] = (byte) (v4 ? LegacyWire.ATYP_IPV4 : LegacyWire.ATYP_IPV6);
        key[1] = v4 ? key[1] : (byte) 0x20;
        return key;
    }

    private static String payload(Random r) {
        int n = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 32 : 5000);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) ('a' + r.nextInt(26)));
        }
        return s.toString();
    }

    /** Server to agent: CONNECT, SEND (empty ones give no event), sometimes CLOSE_NOTIFY; plus strays. */
    private static Traffic toTheAgent(Random r) {
        List<User> users = new ArrayList<>();
        for (int n = 1 + r.nextInt(12); n > 0; n--) {
            User u = new User(0, randomKey(r));
            u.add(LegacyWire.CONNECT, null);
            for (int i = r.nextInt(5); i > 0; i--) {
                u.add(LegacyWire.SEND, payload(r));
            }
            if (r.nextBoolean()) {
                u.add(LegacyWire.CLOSE_NOTIFY, null);
            }
            users.add(u);
        }
        User stray = new User(-1, randomKey(r)); // never connected: ignored
        stray.add(LegacyWire.SEND, "stray");
        stray.add(LegacyWire.CLOSE_NOTIFY, null);
        users.add(stray);
        return interleave(r, codec(Role.AGENT), users, true);
    }

    /** Agent to server, for users the server codec announced: a failure reply, or SUCCESS, PACKETs, CONN_CLOSE. */
    private static Traffic toTheServer(Random r) throws Exception {
        LegacyCodec server = codec(Role.SERVER);
        List<User> users = new ArrayList<>();
        int count = 1 + r.nextInt(12);
        for (int id = 1; id <= count; id++) {
            byte[] key = randomKey(r);
            byte[] address = new byte[key.length - 3];
            System.arraycopy(key, 1, address, 0, address.length);
            int port = ((key[key.length - 2] & 0xFF) << 8) | (key[key.length - 1] & 0xFF);
            open(server, id, new InetSocketAddress(InetAddress.getByAddress(address), port)).release();
            User u = new User(id, key);
            if (r.nextInt(4) == 0) {
                u.add(Integer.parseInt(FAILURES[r.nextInt(FAILURES.length)].split(" ")[0]), null);
            } else {
                u.add(LegacyWire.SUCCESS, null);
                for (int i = r.nextInt(5); i > 0; i--) {
                    u.add(LegacyWire.PACKET, payload(r));
                }
                if (r.nextBoolean()) {
                    u.add(LegacyWire.CONN_CLOSE, null);
                }
            }
            users.add(u);
        }
        return interleave(r, server, users, false);
    }

    /** Picks users at random, one message at a time, and writes down what each message must decode to. */
    private static Traffic interleave(Random r, LegacyCodec reader, List<User> users, boolean toAgent) {
        ByteBuf wire = ALLOC.heapBuffer();
        List<Frame> events = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<User> left = new ArrayList<>(users);
        int[] next = new int[users.size()];
        int connects = 0;
        while (!left.isEmpty()) {
            User u = left.get(r.nextInt(left.size()));
            int i = users.indexOf(u);
            Message m = u.messages.get(next[i]++);
            starts.add(wire.writerIndex());
            wire.writeBytes(m.bytes());
            if (next[i] == u.messages.size()) {
                left.remove(u);
            }
            if (toAgent && m.command() == LegacyWire.CONNECT) {
                u.id = ++connects; // the agent's codec numbers streams as CONNECTs arrive
            }
            if (u.id > 0) {
                expect(events, u.id, m, toAgent);
            }
        }
        return new Traffic(reader, wire, events, starts);
    }

    private static void expect(List<Frame> events, int id, Message m, boolean toAgent) {
        int command = m.command();
        if (m.payload() != null) {
            if (!m.payload().isEmpty()) { // an empty data message delivers nothing
                events.add(LegacyCodecTest.data(id, m.payload()));
            }
        } else if (toAgent) {
            events.add(command == LegacyWire.CONNECT ? new Frame.Open(id) : new Frame.Reset(id, ErrorCode.NO_ERROR));
        } else if (command == LegacyWire.SUCCESS) {
            events.add(new Frame.OpenOk(id));
        } else if (command == LegacyWire.CONN_CLOSE) {
            events.add(new Frame.Reset(id, ErrorCode.NO_ERROR));
        } else {
            for (String f : FAILURES) {
                if (f.startsWith(command + " ")) {
                    events.add(new Frame.OpenFailed(id, ErrorCode.valueOf(f.substring(2)), null));
                }
            }
        }
    }

    /** Feeds {@code wire} in random chunks, each its own pooled direct buffer as reads from a socket are. */
    private static List<Frame> decodeInChunks(Random r, LegacyCodec codec, ByteBuf wire) throws MuxException {
        FrameCollector events = new FrameCollector();
        while (wire.isReadable()) {
            int n = Math.min(wire.readableBytes(), 1 + r.nextInt(r.nextBoolean() ? 16 : 20_000));
            ByteBuf chunk = ALLOC.directBuffer(n);
            chunk.writeBytes(wire, n);
            codec.decode(chunk, events);
        }
        return LegacyCodecTest.reasonless(events.frames);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyChunkingOfValidTrafficDecodesToTheSameMessages(long seed) throws Exception {
        Random r = new Random(seed);
        Traffic traffic = r.nextBoolean() ? toTheAgent(r) : toTheServer(r);
        try {
            assertEquals(traffic.events(), decodeInChunks(r, traffic.reader(), traffic.wire()), "seed " + seed);
        } finally {
            traffic.reader().release();
            traffic.wire().release();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesOnlyEverFailAsAProtocolError(long seed) throws Exception {
        Random r = new Random(seed);
        Traffic valid = r.nextBoolean() ? toTheAgent(r) : toTheServer(r);
        ByteBuf wire = valid.wire();
        for (int flips = 1 + r.nextInt(4); flips > 0; flips--) { // a few fields of valid messages broken
            int start = valid.starts().get(r.nextInt(valid.starts().size()));
            int field = r.nextBoolean() ? r.nextInt(LegacyWire.HEAD) : r.nextInt(LegacyWire.HEAD + 18 + 4);
            int at = Math.min(wire.writerIndex() - 1, start + field); // head mostly, else key or length
            int[] likely = {0, 1, 2, 3, 4, 5, 6, 254, 255};
            wire.setByte(at, r.nextBoolean() ? likely[r.nextInt(likely.length)] : r.nextInt(256));
        }
        if (r.nextInt(4) == 0) {
            wire.writerIndex(r.nextInt(wire.writerIndex() + 1)); // cut anywhere
        }
        byte[] noise = new byte[r.nextInt(600)];
        r.nextBytes(noise);
        wire.writeBytes(noise); // then plain noise
        LegacyCodec codec = valid.reader();
        try {
            decodeInChunks(r, codec, wire);
        } catch (MuxException expected) {
            ByteBuf more = ALLOC.buffer(1).writeByte(LegacyWire.VERSION);
            assertThrows(MuxException.class, () -> codec.decode(more, new FrameCollector()),
                    "seed " + seed + ": a failed decoder stays failed");
        } catch (RuntimeException e) {
            fail("seed " + seed + ": decoder threw " + e, e);
        } finally {
            codec.release();
            wire.release();
        }
    }
}
