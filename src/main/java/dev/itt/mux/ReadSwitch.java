package dev.itt.mux;

/**
 * Stops and restarts reading a tunnel connection. The flow control of a wire format without credit uses it
 * ({@link Flow.PauseReading}): the only way such a receiver can bound what it holds is to stop reading.
 */
public interface ReadSwitch {
    void pauseReading();

    void resumeReading();
}
