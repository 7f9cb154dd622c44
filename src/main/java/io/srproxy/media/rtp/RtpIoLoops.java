package io.srproxy.media.rtp;

/**
 * The SIP legs' RTP I/O loops, one per core ({@code [media] io_threads}): each session reads on
 * one loop for its whole life (its packets stay in order on one thread), and a new session goes to
 * the loop with the fewest sessions, so the legs spread over every core.
 */
public final class RtpIoLoops implements AutoCloseable {

    private final RtpIoLoop[] loops;

    /** {@code threads} loops named {@code name-0..}; 0 = one per available processor. */
    public RtpIoLoops(String name, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        loops = new RtpIoLoop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = new RtpIoLoop(name + "-" + i);
        }
    }

    /** The loop with the fewest sessions (the first of equals): where a new session reads. */
    public RtpIoLoop leastLoaded() {
        RtpIoLoop best = loops[0];
        for (RtpIoLoop l : loops) {
            if (l.sessions() < best.sessions()) {
                best = l;
            }
        }
        return best;
    }

    public int size() {
        return loops.length;
    }

    /** Sessions per loop, in loop order (for tests and the admin view). */
    public int[] sessions() {
        int[] s = new int[loops.length];
        for (int i = 0; i < loops.length; i++) {
            s[i] = loops[i].sessions();
        }
        return s;
    }

    /** Exceptions the packet handlers of every loop threw. */
    public long unexpectedErrors() {
        long n = 0;
        for (RtpIoLoop l : loops) {
            n += l.unexpectedErrors();
        }
        return n;
    }

    @Override
    public void close() {
        for (RtpIoLoop l : loops) {
            l.close();
        }
    }
}
