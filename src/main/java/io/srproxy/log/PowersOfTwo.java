package io.srproxy.log;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts occurrences of one kind of event that a stranger or a bug can repeat at will, and says
 * which to log: the 1st, 2nd, 4th, 8th ... so a flood costs a few dozen lines, each carrying the
 * count so far. Lock-free.
 */
public final class PowersOfTwo {

    private final AtomicLong count = new AtomicLong();

    /** Counts one more; returns the count when this one should be logged, else 0. */
    public long next() {
        long n = count.incrementAndGet();
        return Long.bitCount(n) == 1 ? n : 0;
    }

    /** Occurrences counted so far. */
    public long count() {
        return count.get();
    }
}
