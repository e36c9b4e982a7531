package dev.itt.vertx;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Drops Netty's connect-timeout task from a connected channel. Netty cancels the task when the connect completes
 * but keeps it in a field until the channel closes: 64 bytes for every upstream socket an agent holds. Netty has
 * no API for it, so the field is reached by name; if a Netty release renames it, this does nothing (and says so
 * once, at debug level).
 */
final class ConnectTimeouts {
    private static final Logger LOG = Logger.getLogger(ConnectTimeouts.class);

    /** The channel classes that hold the field (epoll and NIO), with a handle on it. */
    private record Holder(Class<?> owner, VarHandle field) {}

    private static final List<Holder> HOLDERS = java.util.stream.Stream.of(
                    "io.netty.channel.epoll.AbstractEpollChannel", "io.netty.channel.nio.AbstractNioChannel")
            .map(ConnectTimeouts::holder).filter(Objects::nonNull).toList();

    private ConnectTimeouts() {}

    /**
     * Forgets the connect-timeout task of a connected channel. Called from the connect's own callbacks, it finds
     * the task not yet cancelled (Netty cancels it when they return, through this very field), so it looks again
     * once this event-loop turn is over.
     */
    static void forget(Channel channel) {
        forget(channel, true);
    }

    private static void forget(Channel channel, boolean mayRetry) {
        for (Holder h : HOLDERS) {
            if (h.owner.isInstance(channel)) {
                Future<?> task = (Future<?>) h.field.get(channel);
                if (task == null) {
                    return;
                }
                if (task.isDone()) {
                    h.field.set(channel, (Future<?>) null);
                } else if (mayRetry) {
                    channel.eventLoop().execute(() -> forget(channel, false));
                }
                return;
            }
        }
    }

    private static Holder holder(String className) {
        try {
            Class<?> owner = Class.forName(className, false, ConnectTimeouts.class.getClassLoader());
            VarHandle field = MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                    .findVarHandle(owner, "connectTimeoutFuture", Future.class);
            return new Holder(owner, field);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debugf("connect-timeout tasks stay with their sockets: no field to clear in %s (%s)", className, e);
            return null;
        }
    }
}
