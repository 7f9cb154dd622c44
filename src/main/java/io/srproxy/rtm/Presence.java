package io.srproxy.rtm;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Presence subscriptions: who watches whom, and the change events (each uid's state is told once
 * per change, however many times it is reported). Runs on the service's executor.
 */
final class Presence {

    /** Subscriptions one session may hold. */
    static final int MAX_SUBSCRIPTIONS = 4096;

    private final Map<String, Set<Connection>> watchers = new HashMap<>();
    /** The state last told to the watchers of a uid. */
    private final Map<String, PeerOnlineState> told = new HashMap<>();
    private final Consumer<String> firstWatcher;
    private final Consumer<String> lastWatcherGone;

    /** {@code firstWatcher} / {@code lastWatcherGone}: a uid gained its first watcher, or lost its last. */
    Presence(Consumer<String> firstWatcher, Consumer<String> lastWatcherGone) {
        this.firstWatcher = firstWatcher;
        this.lastWatcherGone = lastWatcherGone;
    }

    /**
     * Subscribes; the caller reports the peers' current state at once, as the RTM SDKs do, with
     * {@link #snapshot}.
     */
    void subscribe(Connection c, List<String> peers) {
        if (c.subscriptions.size() + peers.size() > MAX_SUBSCRIPTIONS) {
            throw RtmLimits.invalid("peerIds would make " + (c.subscriptions.size() + peers.size())
                    + " subscriptions; at most " + MAX_SUBSCRIPTIONS + " per session");
        }
        for (String p : peers) {
            c.subscriptions.add(p);
            watchers.computeIfAbsent(p, k -> {
                firstWatcher.accept(k);
                return new HashSet<>();
            }).add(c);
        }
    }

    /** Tells {@code c} the state of the peers it just subscribed to (those it still watches). */
    void snapshot(Connection c, Map<String, Boolean> online) {
        Map<String, PeerOnlineState> now = new LinkedHashMap<>();
        online.forEach((p, on) -> {
            PeerOnlineState state = on ? PeerOnlineState.ONLINE : PeerOnlineState.OFFLINE;
            now.put(p, state);
            if (watchers.containsKey(p)) {
                told.put(p, state);
            }
        });
        c.deliver(new RtmEvent.PeersOnlineStatusChanged(now));
    }

    void unsubscribe(Connection c, List<String> peers) {
        for (String p : peers) {
            if (c.subscriptions.remove(p)) {
                unwatch(p, c);
            }
        }
    }

    void dropAll(Connection c) {
        for (String p : c.subscriptions) {
            unwatch(p, c);
        }
        c.subscriptions.clear();
    }

    void changed(String uid, PeerOnlineState state) {
        Set<Connection> set = watchers.get(uid);
        if (set == null || told.put(uid, state) == state) {
            return;
        }
        RtmEvent event = new RtmEvent.PeersOnlineStatusChanged(Map.of(uid, state));
        for (Connection c : set) {
            c.deliver(event);
        }
    }

    private void unwatch(String uid, Connection c) {
        Set<Connection> set = watchers.get(uid);
        if (set != null && set.remove(c) && set.isEmpty()) {
            watchers.remove(uid);
            told.remove(uid);
            lastWatcherGone.accept(uid);
        }
    }
}
