package io.srproxy.sip;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open SIP TCP connections, in all and per source address, each under its limit. A source's
 * entry goes when its last connection closes, so the map holds at most {@code total} entries.
 */
final class TcpConnectionLimiter {

    private final int total;
    private final int perSource;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> bySource = new ConcurrentHashMap<>();

    TcpConnectionLimiter(int total, int perSource) {
        this.total = total;
        this.perSource = perSource;
    }

    /** Takes a place for one more connection from {@code source}; false when a limit is reached. */
    boolean acquire(InetAddress source) {
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            return false;
        }
        boolean[] taken = {false};
        bySource.compute(source, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perSource) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        if (!taken[0]) {
            open.decrementAndGet();
        }
        return taken[0];
    }

    /** Gives back the place of a connection {@link #acquire} admitted. */
    void release(InetAddress source) {
        bySource.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }
}
