package io.srproxy.rtm;

import java.time.Duration;

/**
 * Time for protocol timeouts (30 s, 60 s). Production uses {@link SystemTimers}; tests inject a
 * manual clock and advance it instead of waiting.
 */
public interface Timers {

    /** Milliseconds on this clock (not necessarily wall time). */
    long nowMillis();

    /** Runs {@code task} once after {@code delay}, on the timer's thread: hand real work to an executor. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
