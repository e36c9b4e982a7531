package dev.itt.vertx;

import io.vertx.core.net.TCPSSLOptions;

/** The TCP options of every socket ITT dials or accepts, in one place for the agent's dials and both listeners. */
public final class TcpOptions {
    private TcpOptions() {}

    /**
     * No Nagle delay: frames and relayed bytes go out as soon as they are flushed. Quick acknowledgements on:
     * Vert.x sets TCP_QUICKACK on every socket, to false unless told otherwise, and Linux takes that as "delay
     * acknowledgements". A connect then holds back the last packet of its handshake for up to 200 ms (hoping to
     * send it with data), so an upstream that speaks first saw each connection 200 ms late; an accepted socket
     * delays its acknowledgements from the first byte. True leaves the kernel's usual behaviour.
     */
    public static <T extends TCPSSLOptions> T apply(T options) {
        options.setTcpNoDelay(true);
        options.setTcpQuickAck(true);
        return options;
    }
}
