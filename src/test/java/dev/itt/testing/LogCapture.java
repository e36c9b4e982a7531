package dev.itt.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Records what ITT logs while it is open, so that a test can assert on a logged reason. It hangs a handler on the
 * {@code dev.itt} logger: JBoss Logging writes through the JBoss log manager, whose loggers are JUL loggers (the
 * build sets {@code java.util.logging.manager} for the test JVMs). Each line is "LEVEL logger: message".
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level levelBefore;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
    }

    /** Starts recording everything under {@code dev.itt}. */
    public static LogCapture start() {
        return start("dev.itt");
    }

    /** Starts recording everything under the logger {@code name} (e.g. a Netty class's). */
    public static LogCapture start(String name) {
        LogCapture capture = new LogCapture(Logger.getLogger(name));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** As {@link #start(String)}, with the logger set to {@code level} until closed (to see lines that are off). */
    public static LogCapture start(String name, Level level) {
        LogCapture capture = start(name);
        capture.logger.setLevel(level);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + message);
    }

    /** The lines recorded so far that contain {@code fragment}. */
    public List<String> matching(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).toList();
    }

    /** Waits until a line containing {@code fragment} was logged and returns it. */
    public String await(String fragment) {
        try {
            Await.until("a log line containing '" + fragment + "'", TunnelFixture.WAIT,
                    () -> !matching(fragment).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; logged meanwhile:\n" + String.join("\n", lines), e);
        }
        return matching(fragment).get(0);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(levelBefore);
    }
}
