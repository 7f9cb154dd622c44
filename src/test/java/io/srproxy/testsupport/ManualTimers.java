package io.srproxy.testsupport;

import io.srproxy.rtm.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** {@link Timers} whose clock moves only when a test calls {@link #advance}: no test waits 30 s. */
public final class ManualTimers implements Timers {

    private record Task(long due, long seq, Runnable run, boolean[] cancelled) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000;
    private long seq;

    @Override
    public synchronized long nowMillis() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Task(now + delay.toMillis(), seq++, task, cancelled));
        return () -> {
            synchronized (ManualTimers.this) {
                cancelled[0] = true;
            }
        };
    }

    /** Moves the clock forward, running every task that falls due, in order, on this thread. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toMillis();
        }
        while (true) {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                Task t = queue.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = t.due;
                if (!t.cancelled[0]) {
                    due.add(t.run);
                }
            }
            due.forEach(Runnable::run);
        }
    }
}
