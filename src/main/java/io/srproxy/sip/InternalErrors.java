package io.srproxy.sip;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Bugs met while handling SIP (a RuntimeException where none was expected): logged with their
 * stack trace the 1st, 2nd, 4th, 8th ... time, so a peer that triggers one on every request
 * cannot flood the log, and counted.
 */
final class InternalErrors {

    private final LongAdder count = new LongAdder();

    void report(Logger log, String what, RuntimeException e) {
        count.increment();
        long n = count.sum();
        if (Long.bitCount(n) == 1) {
            log.error("internal error: {} ({} so far; answered 500)", what, n, e);
        }
    }

    long count() {
        return count.sum();
    }
}
