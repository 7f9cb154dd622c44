package io.srproxy.log;

import org.slf4j.Logger;

/**
 * A warning that a stranger can trigger at will (a refused connection, join or request): logged
 * the 1st, 2nd, 4th, 8th... time with the count so far, so a flood costs a few dozen lines, not
 * one per attempt, and the log still says how many there were.
 */
public final class ThrottledLog {

    private final Logger log;
    private final PowersOfTwo count = new PowersOfTwo();

    public ThrottledLog(Logger log) {
        this.log = log;
    }

    /** Counts one occurrence; logs {@code format} (+ " (n so far)") when the count is a power of two. */
    public void warn(String format, Object... args) {
        long n = count.next();
        if (n != 0 && log.isWarnEnabled()) {
            Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = n;
            log.warn(format + " ({} so far)", withCount);
        }
    }

    /** Occurrences counted so far. */
    public long count() {
        return count.count();
    }
}
