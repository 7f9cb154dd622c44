package io.srproxy.rtc.ws;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * {@code [limits] rtc_joins_per_second}: at most {@code perSecond} /rtc joins from one source
 * address in each one-second window. The counts live in one map per window, replaced when the
 * second turns, so memory is bounded by the sources seen in one second; past {@code maxSources}
 * of them a new source is refused too (a spray of addresses must not grow the heap).
 */
final class JoinRateLimiter {

    static final int MAX_SOURCES = 65_536;

    private record Window(long second, ConcurrentHashMap<InetAddress, AtomicInteger> counts) {}

    private final int perSecond;
    private final int maxSources;
    private final LongSupplier nanoClock;
    private volatile Window window = new Window(Long.MIN_VALUE, new ConcurrentHashMap<>());

    JoinRateLimiter(int perSecond, int maxSources, LongSupplier nanoClock) {
        if (perSecond < 1 || maxSources < 1) {
            throw new IllegalArgumentException("joins per second and sources must be at least 1");
        }
        this.perSecond = perSecond;
        this.maxSources = maxSources;
        this.nanoClock = nanoClock;
    }

    int perSecond() {
        return perSecond;
    }

    /** True when one more join from {@code source} fits this second's budget (an unknown source always does). */
    boolean admit(InetAddress source) {
        if (source == null) {
            return true;
        }
        Window w = current();
        AtomicInteger count = w.counts().get(source);
        if (count == null) {
            if (w.counts().size() >= maxSources) {
                return false;
            }
            count = w.counts().computeIfAbsent(source, a -> new AtomicInteger());
        }
        return count.incrementAndGet() <= perSecond;
    }

    /** Sources counted in the current window (for tests). */
    int sources() {
        return window.counts().size();
    }

    private Window current() {
        long second = Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
        Window w = window;
        if (w.second() != second) {
            // two threads may both turn the window; one map wins and a few counts start over: harmless
            w = new Window(second, new ConcurrentHashMap<>());
            window = w;
        }
        return w;
    }
}
