package dev.itt.config;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Polls every watched token file on one daemon thread. Polling, not file-system events: a Kubernetes Secret is
 * replaced by renaming a symlinked directory, which an event watch on the file itself never sees; comparing the
 * content each interval follows the symlinks. The thread also derives the new keys, off every event loop.
 */
public final class TokenFileWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TokenFileWatcher.class);

    private final List<TokenFileCredentials> files = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "itt-token-files");
        t.setDaemon(true);
        return t;
    });

    public TokenFileWatcher(Duration interval) {
        thread.scheduleWithFixedDelay(this::pollAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void watch(TokenFileCredentials credentials) {
        files.add(credentials);
    }

    private void pollAll() {
        for (TokenFileCredentials f : files) {
            try {
                f.poll();
            } catch (RuntimeException e) { // keep polling the others, and this one next time
                LOG.errorf("re-reading '%s' failed: %s", f.file(), e.getClass().getName());
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
