package io.srproxy.sip;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts occurrences of one kind of event and says which of them to log: the 1st, 2nd, 4th,
 * 8th ... so a flood of it costs a handful of log lines, each carrying the count so far.
 * Lock-free; called from JAIN-SIP's threads.
 */
final class SipLogThrottle {

    private final AtomicLong count = new AtomicLong();

    /** Counts one more; returns the count when this one should be logged, else 0. */
    long next() {
        long n = count.incrementAndGet();
        return Long.bitCount(n) == 1 ? n : 0;
    }

    long count() {
        return count.get();
    }
}
