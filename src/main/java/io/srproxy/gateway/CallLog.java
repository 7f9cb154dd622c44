package io.srproxy.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Active calls and the most recent ended ones, with counters. Calls report here from their own
 * executors, so the collections are concurrent; a call's own state never lives here.
 */
public final class CallLog {

    public static final int RECENT_KEPT = 200;

    /** Counters like the original's statistics, by direction. */
    public record Stats(long active, long total, long answered, long failed, Map<CallRecord.Direction, Long> byDirection) {}

    private final Map<String, CallRecord> active = new ConcurrentHashMap<>();
    private final java.util.Set<String> answeredIds = ConcurrentHashMap.newKeySet();
    private final Deque<CallRecord> recent = new ArrayDeque<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<CallRecord.Direction, AtomicLong> byDirection = new EnumMap<>(CallRecord.Direction.class);

    public CallLog() {
        for (CallRecord.Direction d : CallRecord.Direction.values()) {
            byDirection.put(d, new AtomicLong());
        }
    }

    public void started(CallRecord record) {
        active.put(record.id(), record);
        total.incrementAndGet();
        byDirection.get(record.direction()).incrementAndGet();
    }

    private volatile Consumer<CallRecord> onAnswered = r -> { };

    /** Told once per call when it is answered (metrics: set-up time). */
    public void onAnswered(Consumer<CallRecord> listener) {
        onAnswered = listener;
    }

    public void updated(CallRecord record) {
        boolean present = active.computeIfPresent(record.id(), (id, previous) -> record) != null;
        if (present && record.wasAnswered() && answeredIds.add(record.id())) {
            onAnswered.accept(record);
        }
    }

    /**
     * Moves a call from active to recent; a second end of the same call is ignored. The record
     * reaches recent before it leaves active (both inside the map's lock for that id), so a reader
     * that looks at active and then recent always finds the call in one of them.
     */
    public void ended(CallRecord record) {
        active.computeIfPresent(record.id(), (id, previous) -> {
            answeredIds.remove(id);
            (record.wasAnswered() ? answered : failed).incrementAndGet();
            synchronized (recent) {
                recent.addFirst(record);
                while (recent.size() > RECENT_KEPT) {
                    recent.removeLast();
                }
            }
            return null;
        });
    }

    public List<CallRecord> active() {
        List<CallRecord> list = new ArrayList<>(active.values());
        list.sort(Comparator.comparing(CallRecord::startedAt));
        return list;
    }

    public List<CallRecord> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    public Stats stats() {
        Map<CallRecord.Direction, Long> dirs = new LinkedHashMap<>();
        byDirection.forEach((d, n) -> dirs.put(d, n.get()));
        return new Stats(active.size(), total.get(), answered.get(), failed.get(), dirs);
    }
}
