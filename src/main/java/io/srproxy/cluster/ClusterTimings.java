package io.srproxy.cluster;

import java.time.Duration;

/**
 * How often a node proves it is alive and how long Redis believes it. A node killed at time t
 * has its heartbeat key (and its users' ownership keys) gone by t + {@code ttl}, and the other
 * nodes see it by t + {@code ttl} + {@code poll}: 14 s with the defaults.
 *
 * @param heartbeat how often the node refreshes its keys
 * @param ttl       how long a key lives without a refresh (several heartbeats, so one slow round trip does not lose it)
 * @param poll      how often the node list is read to notice nodes that vanished
 */
public record ClusterTimings(Duration heartbeat, Duration ttl, Duration poll) {

    public static final ClusterTimings DEFAULTS =
            new ClusterTimings(Duration.ofSeconds(4), Duration.ofSeconds(12), Duration.ofSeconds(2));

    public ClusterTimings {
        if (ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("ttl " + ttl + " must be at least two heartbeats (" + heartbeat + ")");
        }
    }

    /** From a node's death to every other node knowing it. */
    public Duration failureBound() {
        return ttl.plus(poll);
    }
}
