package dev.itt.vertx;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.net.InetAddress;

/**
 * What the ends take from Vert.x's internals, kept in this one package (the layering test holds the rest of the
 * code to the public API): an event loop of their own, and the resolver Vert.x itself dials with.
 */
public final class Internals {
    private Internals() {}

    /**
     * A new event-loop context: one tunnel end's listeners, dials, sessions and sockets all run on it, so none of
     * them needs a lock. ({@code Vertx.getOrCreateContext()} would hand back the caller's context, or a worker's.)
     */
    public static Context newEventLoop(Vertx vertx) {
        return ((VertxInternal) vertx).createEventLoopContext();
    }

    /** The name resolved by Vert.x's resolver (its cache and its options), as a direct dial would resolve it. */
    public static Future<InetAddress> resolve(Vertx vertx, String host) {
        Promise<InetAddress> resolved = Promise.promise();
        ((VertxInternal) vertx).resolveAddress(host, resolved);
        return resolved.future();
    }
}
