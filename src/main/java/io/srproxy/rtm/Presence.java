package io.srproxy.rtm;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Presence subscriptions: who watches whom, and the change events. Runs on the service's executor. */
final class Presence {

    /** Subscriptions one session may hold. */
    static final int MAX_SUBSCRIPTIONS = 4096;

    private final Map<String, Set<Connection>> watchers = new HashMap<>();

    /** Subscribes and reports the peers' current state at once, as the RTM SDKs do. */
    void subscribe(Connection c, List<String> peers, Predicate<String> online) {
        if (c.subscriptions.size() + peers.size() > MAX_SUBSCRIPTIONS) {
            throw RtmLimits.invalid("peerIds would make " + (c.subscriptions.size() + peers.size())
                    + " subscriptions; at most " + MAX_SUBSCRIPTIONS + " per session");
        }
        Map<String, PeerOnlineState> now = new LinkedHashMap<>();
        for (String p : peers) {
            c.subscriptions.add(p);
            watchers.computeIfAbsent(p, k -> new HashSet<>()).add(c);
            now.put(p, online.test(p) ? PeerOnlineState.ONLINE : PeerOnlineState.OFFLINE);
        }
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
        if (set == null) {
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
        }
    }
}
