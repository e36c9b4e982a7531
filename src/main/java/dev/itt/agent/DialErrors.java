package dev.itt.agent;

import dev.itt.mux.wire.ErrorCode;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.proxy.ProxyConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Turns a failed dial into the reason sent in OPEN_FAILED (docs/PROTOCOL.md §6), which the legacy format turns
 * into its failure reply. Everything we raise ourselves is typed; the operating system's errors are not, so they
 * are told apart by the exception the transport raises and, where only the text differs, by the errno's text:
 *
 * <ul>
 *   <li>ECONNREFUSED: a {@code ConnectException} saying "Connection refused" (JDK and Netty epoll alike).
 *   <li>EHOSTUNREACH: a {@link NoRouteToHostException} (JDK: "No route to host"; Netty epoll: no message).
 *   <li>ENETUNREACH: the JDK raises a {@link SocketException} "Network is unreachable", but Netty 4.1's epoll
 *       transport raises the same message-less {@link NoRouteToHostException} as for EHOSTUNREACH, so on epoll
 *       the two cannot be told apart and both become HOST_UNREACHABLE.
 *   <li>ETIMEDOUT from the kernel: "Connection timed out".
 * </ul>
 *
 * Anything else (a missing Unix socket file, permission denied, a reset during connect, ...) is CONNECT_FAILED,
 * with the error's own message as the reason: claiming "refused" for it would mislead whoever reads the reason.
 */
final class DialErrors {
    private DialErrors() {}

    static ErrorCode classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            ErrorCode code = classifyOne(t);
            if (code != null) {
                return code;
            }
        }
        return ErrorCode.CONNECT_FAILED;
    }

    private static ErrorCode classifyOne(Throwable t) {
        if (t instanceof ProxyConnectException) {
            return ErrorCode.PROXY_ERROR;
        }
        if (t instanceof ConnectTimeoutException) {
            return ErrorCode.CONNECT_TIMEOUT;
        }
        if (t instanceof UnknownHostException) {
            return ErrorCode.UNKNOWN_HOST;
        }
        if (!(t instanceof SocketException)) {
            return null;
        }
        String m = String.valueOf(t.getMessage());
        if (m.contains("Network is unreachable")) {
            return ErrorCode.NETWORK_UNREACHABLE;
        }
        if (t instanceof NoRouteToHostException || m.contains("No route to host")
                || m.contains("Host is unreachable")) {
            return ErrorCode.HOST_UNREACHABLE;
        }
        if (m.contains("Connection refused")) {
            return ErrorCode.CONNECT_REFUSED;
        }
        if (m.contains("Connection timed out")) {
            return ErrorCode.CONNECT_TIMEOUT;
        }
        return null;
    }
}
