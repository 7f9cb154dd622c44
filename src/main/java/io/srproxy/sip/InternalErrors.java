package io.srproxy.sip;

import io.srproxy.log.PowersOfTwo;
import org.slf4j.Logger;

/**
 * Bugs met while handling SIP (a RuntimeException where none was expected): logged with their
 * stack trace the 1st, 2nd, 4th, 8th ... time, so a peer that triggers one on every request
 * cannot flood the log, and counted.
 */
final class InternalErrors {

    private final PowersOfTwo count = new PowersOfTwo();

    void report(Logger log, String what, RuntimeException e) {
        long n = count.next();
        if (n != 0) {
            log.error("internal error: {} ({} so far; answered 500)", what, n, e);
        }
    }

    long count() {
        return count.count();
    }
}
