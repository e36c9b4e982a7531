package dev.itt.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Polls every watched file on one daemon thread: token files, and the certificates and keys of TLS listeners.
 * Polling, not file-system events: a Kubernetes Secret is replaced by renaming a symlinked directory, which an
 * event watch on the file itself never sees; comparing the content each interval follows the symlinks. The thread
 * also does the slow part of taking a new version (deriving keys, parsing certificates), off every event loop.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileWatcher.class);

    /** Something read from files that re-reads them when asked, and reports a bad version itself, once. */
    public interface Watched {
        /** Re-reads the files; true if they changed and the new version was taken. */
        boolean poll();

        /** The files, for the log line of a poll that threw. */
        String files();
    }

    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;

    public FileWatcher(Duration interval) {
        this(interval, "itt-file-watcher");
    }

    public FileWatcher(Duration interval, String threadName) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::pollAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void watch(Watched w) {
        watched.add(w);
    }

    public void unwatch(Watched w) {
        watched.remove(w);
    }

    /**
     * What a watched set of files holds, as one value to compare with the last poll's: a SHA-256 over each part's
     * length (-1 for a file that is not part of the set) and bytes. Never the contents themselves: tokens and keys.
     */
    public static String fingerprint(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                int n = part == null ? -1 : part.length;
                d.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                if (part != null) {
                    d.update(part);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private void pollAll() {
        for (Watched w : watched) {
            try {
                w.poll();
            } catch (RuntimeException e) { // keep polling the others, and this one next time
                LOG.errorf("re-reading %s failed: %s", w.files(), e.getClass().getName());
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
