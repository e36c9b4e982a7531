package dev.itt.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/** User-side helpers: plain blocking JDK sockets. */
public final class Users {
    private Users() {}

    public static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(30_000); // a stuck test fails instead of hanging
        return s;
    }

    /**
     * Sends {@code data[off, off+len)} through an echo on another thread (so that neither side's buffers need to
     * hold it all) and checks that the same bytes come back.
     */
    public static void echoes(Socket user, byte[] data, int off, int len) throws Exception {
        OutputStream out = user.getOutputStream();
        InputStream in = user.getInputStream();
        Thread writer = new Thread(() -> {
            try {
                out.write(data, off, len);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        writer.start();
        byte[] back = in.readNBytes(len);
        writer.join();
        if (!Arrays.equals(Arrays.copyOfRange(data, off, off + len), back)) {
            throw new AssertionError("the echo of bytes " + off + ".." + (off + len) + " differs (" + back.length
                    + " bytes came back)");
        }
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
