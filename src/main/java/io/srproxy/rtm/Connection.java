package io.srproxy.rtm;

import io.srproxy.log.LogSafe;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's link to the service, logged in or not. Everything but {@code lastSeenMillis} is
 * touched only on the service's executor.
 */
public final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    final ConnectionPeer peer;
    final boolean needsKeepalive;
    final String label;
    volatile long lastSeenMillis;
    /** The logged-in uid, or null. */
    String uid;
    /** This node's number for the logged-in session (0 when not logged in). */
    long session;
    /** Set on a stand-in for a session at another node (which gets this connection's events). */
    RtmDirectory.SessionRef remote;
    /** Callee side: invitations kept by another node, by id, and that node. */
    final java.util.Map<String, String> remoteInvitations = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
            return size() > MAX_REMOTE_INVITATIONS; // an end that never arrived must not pile up
        }
    };
    static final int MAX_REMOTE_INVITATIONS = 1024;
    final Set<String> subscriptions = new HashSet<>();
    final Set<String> invitationIds = new HashSet<>();
    /** Channels joined, in join order. */
    final Set<String> channels = new java.util.LinkedHashSet<>();

    Connection(ConnectionPeer peer, boolean needsKeepalive, String label, long now) {
        this.peer = peer;
        this.needsKeepalive = needsKeepalive;
        this.label = label;
        this.lastSeenMillis = now;
    }

    void deliver(RtmEvent event) {
        try {
            peer.deliver(event);
        } catch (RuntimeException e) {
            log.warn("{}: could not deliver {}: {}", this, event.getClass().getSimpleName(), e.toString());
        }
    }

    @Override
    public String toString() {
        return uid == null ? LogSafe.of(label) : LogSafe.of(label) + "(" + LogSafe.of(uid) + ")";
    }
}
