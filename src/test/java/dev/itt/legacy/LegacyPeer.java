package dev.itt.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
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

    /** Reads one message with the given key length and asserts it is exactly {@code expectedHex}. */
    void expect(String expectedHex) throws IOException {
        assertEquals(expectedHex, read(expectedHex.length() / 2));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
