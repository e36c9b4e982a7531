package dev.itt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.itt.testing.Curl;
import dev.itt.testing.Nginx;
import dev.itt.testing.Target;
import dev.itt.testing.TunnelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** curl through the tunnel to a real nginx: a 10 MB body arrives with the same checksum. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NginxCurlTest {

    static Path bigFile(Path www, int size) throws Exception {
        Files.createDirectories(www);
        byte[] data = new byte[size];
        new Random(42).nextBytes(data);
        Path f = www.resolve("big.bin");
        Files.write(f, data);
        return f;
    }

    @Test
    void curlFetchesTenMegabytesFromNginxThroughTheTunnel(@TempDir Path dir) throws Exception {
        Path file = bigFile(dir.resolve("www"), 10 * 1024 * 1024);
        try (Nginx nginx = Nginx.serve(dir.resolve("nginx"), dir.resolve("www"));
                TunnelFixture t = new TunnelFixture().startServer()) {
            t.connectedAgent("127.0.0.1:" + nginx.port());
            for (int i = 0; i < 3; i++) { // keep-alive aside, each curl is a new user connection and stream
                Path out = dir.resolve("out" + i + ".bin");
                assertEquals("200 " + (10 * 1024 * 1024), Curl.get("http://127.0.0.1:" + t.userPort() + "/big.bin", out));
                assertArrayEquals(sha(file), sha(out));
            }
        }
    }

    static byte[] sha(Path p) throws Exception {
        return Target.sha256().digest(Files.readAllBytes(p));
    }
}
