package io.srproxy.sip;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Per-source request rate for SIP: at most {@code perSecond} requests from one address in each
 * one-second window; the rest are dropped by the caller. The SIP server's own addresses are
 * never limited (its traffic is the service). Called from JAIN-SIP's threads, so lock-free.
 *
 * <p>The counts live in one map per window, replaced when the second turns, so memory is bounded
 * by the sources seen in one second; past {@link #MAX_SOURCES} of them a new source is limited
 * (a spoofed-source flood must not grow the heap), known ones keep their budget.
 */
final class SipFloodGuard {

    static final int MAX_SOURCES = 65_536;

    private record Window(long second, ConcurrentHashMap<InetAddress, AtomicInteger> counts) {}

    private final int perSecond;
    private final TrustedPeers exempt;
    private final LongSupplier nanoClock;
    private volatile Window window = new Window(Long.MIN_VALUE, new ConcurrentHashMap<>());

    /** @param exempt the SIP server's addresses: never limited */
    SipFloodGuard(int perSecond, TrustedPeers exempt, LongSupplier nanoClock) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("sip_requests_per_second must be at least 1, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.exempt = exempt;
        this.nanoClock = nanoClock;
    }

    /** True when this request from {@code source} is within its budget (or the source is exempt). */
    boolean admit(InetAddress source) {
        if (source == null || exempt.allows(source)) {
            return true;
        }
        Window w = current();
        AtomicInteger count = w.counts().get(source);
        if (count == null) {
            if (w.counts().size() >= MAX_SOURCES) {
                return false;
            }
            count = w.counts().computeIfAbsent(source, a -> new AtomicInteger());
        }
        return count.incrementAndGet() <= perSecond;
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
