package dev.itt.mux;

import java.util.ArrayDeque;

/** A single-threaded task queue standing in for an event loop: deliveries never re-enter a session. */
final class TestLoop {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs tasks until none is left; fails if the pair never goes quiet. */
    void runUntilIdle() {
        int budget = 1_000_000;
        Runnable t;
        while ((t = tasks.poll()) != null) {
            if (--budget == 0) {
                throw new AssertionError("loop never went idle");
            }
            t.run();
        }
    }
}
