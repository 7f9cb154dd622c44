package io.srproxy.limits;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} events (SIP requests, /rtc joins) from one source address in each
 * one-second window; the caller drops or refuses the rest. Lock-free: called from I/O threads.
 * The counts live in one map per window, replaced when the second turns, so memory is bounded by
 * the sources seen in one second; past {@code maxSources} of them a new source is refused too (a
 * spray of spoofed addresses must not grow the heap), known ones keep their budget.
 */
public final class PerSourceRate {

    /** The table size used in production: far more sources than one second of real traffic has. */
    public static final int MAX_SOURCES = 65_536;

    private record Window(long second, ConcurrentHashMap<InetAddress, AtomicInteger> counts) {}

    private final int perSecond;
    private final int maxSources;
    private final LongSupplier nanoClock;
    private volatile Window window = new Window(Long.MIN_VALUE, new ConcurrentHashMap<>());

    public PerSourceRate(int perSecond, int maxSources, LongSupplier nanoClock) {
        if (perSecond < 1 || maxSources < 1) {
            throw new IllegalArgumentException("events per second and sources must be at least 1, got " + perSecond
                    + " and " + maxSources);
        }
        this.perSecond = perSecond;
        this.maxSources = maxSources;
        this.nanoClock = nanoClock;
    }

    public int perSecond() {
        return perSecond;
    }

    /** True when one more event from {@code source} fits this second's budget (an unknown source always does). */
    public boolean admit(InetAddress source) {
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
    public int sources() {
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
