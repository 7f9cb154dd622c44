package io.srproxy.sip;

import io.srproxy.log.PowersOfTwo;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link PowersOfTwo} per kind of JAIN-SIP warning or error, the kind being the start of
 * its text (JAIN-SIP puts the fixed words first and the message's own content after them). At most
 * {@link #MAX_KINDS} kinds are kept apart, so texts crafted to look different share one throttle.
 */
final class StackLogThrottle {

    static final int MAX_KINDS = 64;
    private static final int KIND_CHARS = 24;

    private final ConcurrentHashMap<String, PowersOfTwo> byKind = new ConcurrentHashMap<>();
    private final PowersOfTwo others = new PowersOfTwo();

    /** Counts one more of {@code text}'s kind; returns the count when this one should be logged, else 0. */
    long next(String text) {
        String kind = text == null ? "" : text.substring(0, Math.min(KIND_CHARS, text.length()));
        PowersOfTwo t = byKind.get(kind);
        if (t == null) {
            t = byKind.size() < MAX_KINDS ? byKind.computeIfAbsent(kind, k -> new PowersOfTwo()) : others;
        }
        return t.next();
    }
}
