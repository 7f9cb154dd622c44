package io.srproxy.rtc.mixer;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 20 ms beat of every mixer of the node: one timer thread (started with the first mixer) that
 * only queues each mixer's tick on that mixer's own serial worker, so mixing runs on the media
 * workers and a thousand conferences still cost one thread. Counts the live mixers.
 */
public final class MixerClock implements AutoCloseable {

    /** A mixer's place on the clock. */
    public interface Ticket {
        void cancel();
    }

    private final AtomicInteger live = new AtomicInteger();
    private ScheduledThreadPoolExecutor timer;

    synchronized Ticket add(Runnable beat) {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "mixer-clock");
                t.setDaemon(true);
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
        }
        ScheduledExecutorService s = timer;
        ScheduledFuture<?> f = s.scheduleAtFixedRate(beat, 20, 20, TimeUnit.MILLISECONDS);
        live.incrementAndGet();
        AtomicInteger counter = live;
        return new Ticket() {
            private boolean cancelled;

            @Override
            public synchronized void cancel() {
                if (!cancelled) {
                    cancelled = true;
                    f.cancel(false);
                    counter.decrementAndGet();
                }
            }
        };
    }

    /** Mixers ticking now. */
    public int liveMixers() {
        return live.get();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
