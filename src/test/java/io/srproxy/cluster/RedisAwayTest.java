package io.srproxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.auth.LoginPolicy;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.RtmTimeouts;
import io.srproxy.rtm.SystemTimers;
import io.srproxy.rtm.ChannelLimits;
import io.srproxy.rtm.cluster.RedisRtmDirectory;
import io.srproxy.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis killed under a running node and started again empty: the node reports itself unhealthy
 * while Redis is away, its local session goes on, and when Redis is back the node and its user
 * are there again.
 */
class RedisAwayTest {

    @Test
    void aNodeRebuildsItsKeysWhenRedisComesBackEmpty() throws Exception {
        RedisServer redis = RedisServer.start();
        SystemTimers timers = new SystemTimers();
        RedisCluster cluster = RedisCluster.start(redis.uri(), "away", "node-a", "127.0.0.1:1", ClusterRtmTest.FAST, () -> 1);
        RtmService service = new RtmService("away", LoginPolicy.appIdOnly("away"), timers, RtmTimeouts.DEFAULTS,
                ChannelLimits.DEFAULTS, new RedisRtmDirectory(cluster));
        try {
            RecordingListener seen = new RecordingListener();
            RtmClient alice = service.createClient(seen);
            alice.login("alice", null).get(10, TimeUnit.SECONDS);
            assertThat(redis.command("EXISTS srproxy:away:rtm:uid:alice")).isEqualTo(":1");
            assertThat(cluster.healthy()).isTrue();

            redis.kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.healthy());
            assertThat(cluster.status()).startsWith("redis unreachable");
            RedisServer back = RedisServer.startOn(redis.port());
            redis = back;
            await().atMost(Duration.ofSeconds(30)).until(() -> back.command("EXISTS srproxy:away:rtm:uid:alice").equals(":1")
                    && back.command("EXISTS srproxy:away:node:node-a").equals(":1"));
            await().atMost(Duration.ofSeconds(30)).until(cluster::healthy);
            assertThat(alice.queryPeersOnlineStatus(List.of("alice")).get(10, TimeUnit.SECONDS)).containsEntry("alice", true);
            assertThat(seen.events).doesNotContain("state ABORTED REMOTE_LOGIN");
        } finally {
            service.close();
            cluster.close();
            timers.close();
            redis.close();
        }
    }
    /**
     * Redis restarted empty under two nodes: each node's heartbeat puts it back, but not at the
     * same instant, so a node-list read in between finds the other node missing. That is no
     * death (the other node never stopped): neither node may report the other gone, which would
     * end invitations, purge channel members and tell watchers its users went offline.
     */
    @Test
    void aRedisRestartMakesNoNodeGoneForTheOthers() throws Exception {
        RedisServer redis = RedisServer.start();
        java.util.List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        RedisCluster a = RedisCluster.start(redis.uri(), "away", "node-a", "127.0.0.1:1", ClusterRtmTest.FAST, () -> 0);
        RedisCluster b = RedisCluster.start(redis.uri(), "away", "node-b", "127.0.0.2:1", ClusterRtmTest.FAST, () -> 0);
        try {
            a.onNodeGone(id -> gone.add("node-a saw " + id + " gone"));
            b.onNodeGone(id -> gone.add("node-b saw " + id + " gone"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.isLive("node-b") && b.isLive("node-a"));
            redis.kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> !a.healthy() && !b.healthy());
            RedisServer back = RedisServer.startOn(redis.port());
            redis = back;
            await().atMost(Duration.ofSeconds(30)).until(() -> a.healthy() && b.healthy());
            // node-list reads until past the TTL: both nodes are back in the list, and neither was ever gone
            Thread.sleep(ClusterRtmTest.FAST.ttl().plus(ClusterRtmTest.FAST.poll().multipliedBy(2)).toMillis());
            assertThat(gone).isEmpty();
            assertThat(a.liveNodes()).containsKeys("node-a", "node-b");
            assertThat(b.liveNodes()).containsKeys("node-a", "node-b");

            b.close(); // a clean leave is still seen
            await().atMost(Duration.ofSeconds(10)).until(() -> gone.contains("node-a saw node-b gone"));
        } finally {
            b.close();
            a.close();
            redis.close();
        }
    }
}
