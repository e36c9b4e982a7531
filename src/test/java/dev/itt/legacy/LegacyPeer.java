package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** One end of a legacy tunnel connection, played byte for byte by a test (a Go server or a Go agent). */
final class LegacyPeer implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    LegacyPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(15_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Key bytes of an IPv4 user: type 1, address, port. */
    static String v4Key(int port) {
        return String.format("017f000001%04x", port);
    }

    static String msg(int command, String key) {
        return String.format("05%02x00", command) + key;
    }

    static String data(int command, String key, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return msg(command, key) + String.format("%08x", b.length) + ByteBufUtil.hexDump(b);
    }

    void send(String hex) throws IOException {
        out.write(ByteBufUtil.decodeHexDump(hex));
        out.flush();
    }

    String read(int bytes) throws IOException {
        byte[] b = new byte[bytes];
        in.readFully(b);
        return ByteBufUtil.hexDump(b);
    }

    /** -1 once the other end has closed the connection (a reset counts as closed), else the next byte. */
    static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    /** Asserts that the other end closes this connection without sending anything more. */
    void expectClosed(String why) throws IOException {
        assertEquals(-1, readOrReset(in), why);
    }

    /** Asserts that nothing arrives for {@code millis}: a read that must time out. */
    void expectNothingFor(int millis, String why) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            fail(why + ": got " + (b < 0 ? "end of stream" : String.format("byte %02x", b)));
        } catch (SocketTimeoutException expected) {
            // nothing came
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** Reads data messages ({@code command}) for {@code key} until {@code n} payload bytes came; returns them. */
    String readData(int command, String key, int n) throws IOException {
        StringBuilder payload = new StringBuilder();
        while (payload.length() < n) {
            assertEquals(msg(command, key), read(msg(command, key).length() / 2), "after " + payload);
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            payload.append(new String(b, StandardCharsets.US_ASCII));
        }
        return payload.toString();
    }

    /** Reads one message with the given key length and asserts it is exactly {@code expectedHex}. */
    void expect(String expectedHex) throws IOException {
        assertEquals(expectedHex, read(expectedHex.length() / 2));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
