package dev.itt.floor;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * Listens on 127.0.0.1:{@code -Dport} with a Vert.x NetServer (native transport), as ITT's server end does, as
 * soon as Quarkus has started, and then waits for SIGTERM: the time from launch to that port is what the JVM,
 * Quarkus and Vert.x cost before any application code runs.
 */
@QuarkusMain
public class Floor implements QuarkusApplication {
    @Inject
    Vertx vertx;

    @Override
    public int run(String... args) {
        vertx.createNetServer()
                .connectHandler(socket -> socket.close())
                .listen(Integer.getInteger("port"), "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
        Quarkus.waitForExit();
        return 0;
    }
}
