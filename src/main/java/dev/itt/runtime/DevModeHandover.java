package dev.itt.runtime;

import dev.itt.end.TunnelEnd;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Dev mode restarts the application when its code or its {@code application.properties} changed, on the next HTTP
 * request; the Vert.x instance, with every socket on it, survives the restart. Rather than stop every tunnel and
 * start it again — which would cut the request that caused the restart if it came through a tunnel — the stopping
 * application hands its running ends over, and the starting one takes each end whose values and code are still
 * the same ({@link EndBridge}), stops the others, and starts what is new. {@link ConfigReload} has usually applied
 * a configuration edit by then, so a restart for an edit finds every end the same.
 *
 * <p>The handover is kept in the Vert.x instance's local shared data, the one place both applications see; what is
 * in it is made of JDK types only, since the two applications' classes are not the same classes.
 */
final class DevModeHandover {
    private static final String MAP = "dev.itt.dev-mode-handover";

    /** A running end as handed over: the end object, the values it was started with, the code that made it. */
    record Parked(Object end, Map<String, List<String>> values, String code) {}

    /** One end in the shared map: Shareable, so Vert.x keeps it as it is; read through JDK types. */
    private static final class Entry implements Shareable, Supplier<Object[]> {
        private final Object[] parts;

        Entry(Object[] parts) {
            this.parts = parts;
        }

        @Override
        public Object[] get() {
            return parts;
        }
    }

    private DevModeHandover() {}

    /** Leaves {@code end} running for the next start of the application, under its name. */
    static void park(Vertx vertx, String name, Parked parked) {
        map(vertx).put(name, new Entry(new Object[] {parked.end(), parked.values(), parked.code()}));
    }

    /** Takes every end an earlier start left running, by name, and empties the handover. */
    @SuppressWarnings("unchecked")
    static Map<String, Parked> takeAll(Vertx vertx) {
        LocalMap<String, Object> map = map(vertx);
        Map<String, Parked> parked = new java.util.TreeMap<>();
        for (String name : List.copyOf(map.keySet())) {
            Object[] parts = ((Supplier<Object[]>) map.remove(name)).get();
            parked.put(name, new Parked(parts[0], (Map<String, List<String>>) parts[1], (String) parts[2]));
        }
        return parked;
    }

    private static LocalMap<String, Object> map(Vertx vertx) {
        return vertx.sharedData().getLocalMap(MAP);
    }

    /** The end the object handed over stands for, in this code's types. */
    static TunnelEnd adopt(Parked parked) {
        return EndBridge.of(parked.end());
    }

    /**
     * What this application's code is: a SHA-256 over its class files, by path, so that an end made by other code
     * is never taken over (a restart after a code change restarts every tunnel with the new code).
     */
    static String code() {
        java.security.CodeSource source = DevModeHandover.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return "unknown code " + System.nanoTime(); // matches no other start: nothing is taken over
        }
        try {
            Path classes = Path.of(source.getLocation().toURI());
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            if (Files.isDirectory(classes)) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                        d.update(classes.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        d.update(Files.readAllBytes(f));
                    }
                }
            } else {
                d.update(Files.readAllBytes(classes)); // a jar
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
