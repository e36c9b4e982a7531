package dev.itt.agent;

import dev.itt.mux.wire.ErrorCode;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.proxy.ProxyConnectException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Turns a failed dial into the reason sent in OPEN_FAILED (docs/PROTOCOL.md §6). The JDK and Netty report
 * ENETUNREACH and EHOSTUNREACH only as text of a {@link ConnectException}, so those two are told apart by the
 * operating system's message; everything we raise ourselves is typed.
 */
final class DialErrors {
    private DialErrors() {}

    static ErrorCode classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ProxyConnectException) {
                return ErrorCode.PROXY_ERROR;
            }
            if (t instanceof ConnectTimeoutException) {
                return ErrorCode.CONNECT_TIMEOUT;
            }
            if (t instanceof UnknownHostException) {
                return ErrorCode.UNKNOWN_HOST;
            }
            if (t instanceof NoRouteToHostException) {
                return ErrorCode.HOST_UNREACHABLE;
            }
            if (t instanceof ConnectException) {
                String m = String.valueOf(t.getMessage());
                if (m.contains("Network is unreachable")) {
                    return ErrorCode.NETWORK_UNREACHABLE;
                }
                if (m.contains("No route to host") || m.contains("Host is unreachable")) {
                    return ErrorCode.HOST_UNREACHABLE;
                }
                return ErrorCode.CONNECT_REFUSED;
            }
        }
        return ErrorCode.CONNECT_REFUSED;
    }
}
