package io.srproxy.media;

import io.srproxy.log.PowersOfTwo;
import org.slf4j.Logger;

/**
 * Exceptions a media path did not expect (a bug, not bad input: bad input is counted where it is
 * recognised). Counted, and logged with the stack the first time and then at every power of two,
 * so a bug hit by every packet cannot flood the log.
 */
public final class UnexpectedErrors {

    private final Logger log;
    private final String where;
    private final PowersOfTwo count = new PowersOfTwo();

    public UnexpectedErrors(Logger log, String where) {
        this.log = log;
        this.where = where;
    }

    public void record(RuntimeException e) {
        long n = count.next();
        if (n != 0) {
            log.error("{}: unexpected error (a bug; {} so far, logged at powers of two)", where, n, e);
        }
    }

    public long count() {
        return count.count();
    }
}
