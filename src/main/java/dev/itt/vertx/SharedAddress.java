package dev.itt.vertx;

import io.netty.channel.Channel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import org.jboss.logging.Logger;

/**
 * One copy of an address that many sockets of an end have in common: the listen address every user socket of a
 * server end reached, or the upstream every stream socket of an agent dialed. Netty's epoll channel builds and keeps
 * its own copy of both addresses of every socket (96 bytes each for an IPv4 address, caches included); a socket
 * whose address equals the one seen last is given that one instead. Netty has no API for it, so the fields are
 * reached by name, as {@link ConnectTimeouts} does; on another transport, or a Netty that renamed them, this does
 * nothing (and says so once, at debug level). Used on the end's event loop only.
 */
public final class SharedAddress {
    private static final Logger LOG = Logger.getLogger(SharedAddress.class);
    private static final String EPOLL = "io.netty.channel.epoll.AbstractEpollChannel";
    /** The epoll channel's own fields, and the caches {@code AbstractChannel} fills on the first lookup. */
    private static final Fields LOCAL = Fields.of("local", "localAddress");
    private static final Fields REMOTE = Fields.of("remote", "remoteAddress");

    private final Fields fields;
    private SocketAddress shared;

    private SharedAddress(Fields fields) {
        this.fields = fields;
    }

    /** For the local addresses of sockets (the server end's user sockets). */
    public static SharedAddress local() {
        return new SharedAddress(LOCAL);
    }

    /** For the remote addresses of sockets (the agent's upstream sockets). */
    public static SharedAddress remote() {
        return new SharedAddress(REMOTE);
    }

    /** Gives the connection's socket the shared copy of its address, if it has the same one. */
    public void share(Connection connection) {
        if (fields == null) {
            return;
        }
        Channel ch = connection.channel();
        if (!fields.owner.isInstance(ch)) {
            return;
        }
        SocketAddress own = (SocketAddress) fields.epoll.getVolatile(ch);
        if (own == null || own == shared) {
            return;
        }
        if (!own.equals(shared)) {
            shared = own; // a new address (another interface, another upstream): the next sockets share this one
            return;
        }
        fields.epoll.setVolatile(ch, shared);
        if (fields.cache.getVolatile(ch) == own) {
            fields.cache.setVolatile(ch, shared);
        }
    }

    /** The epoll channel class, its field for one address, and AbstractChannel's cache of the same. */
    private record Fields(Class<?> owner, VarHandle epoll, VarHandle cache) {
        static Fields of(String epollField, String cacheField) {
            try {
                Class<?> owner = Class.forName(EPOLL, false, SharedAddress.class.getClassLoader());
                VarHandle epoll = MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                        .findVarHandle(owner, epollField, SocketAddress.class);
                Class<?> base = io.netty.channel.AbstractChannel.class;
                VarHandle cache = MethodHandles.privateLookupIn(base, MethodHandles.lookup())
                        .findVarHandle(base, cacheField, SocketAddress.class);
                return new Fields(owner, epoll, cache);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.debugf("every socket keeps its own copy of its %s address: no field to share in %s (%s)",
                        epollField, EPOLL, e);
                return null;
            }
        }
    }
}
