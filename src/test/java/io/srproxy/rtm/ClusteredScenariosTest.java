package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import io.srproxy.cluster.ClusterTimings;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.rtm.cluster.RedisRtmDirectory;
import io.srproxy.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The scenario suite with its users spread over two nodes sharing a real redis-server: the
 * first user is on node a, the second on node b, and so on (so the caller and callee of each
 * invitation are on different nodes, and a second login of a uid lands on the other node).
 * RTM channels too: their members are spread the same way.
 */
class ClusteredScenariosTest extends RtmScenarios {

    private static final ClusterTimings FAST =
            new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(250));
    private static RedisServer redis;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private RtmService serviceB;
    private int clients;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        closeRunning();
        if (redis != null) {
            redis.close();
        }
    }

    private static void closeRunning() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception ignored) {
                // stopping
            }
        }
        running.clear();
    }

    private static RedisCluster node(String id) {
        RedisCluster c = RedisCluster.start(redis.uri(), APP, id, "127.0.0.1:1", FAST, () -> 0);
        running.add(c);
        return c;
    }

    @Override
    protected RtmDirectory directory() throws Exception {
        closeRunning(); // the previous test's nodes, closed after its services
        redis.command("FLUSHALL");
        return new RedisRtmDirectory(node("a"));
    }

    @Override
    protected void startTransport() {
        serviceB = new RtmService(APP, LoginPolicy.appIdOnly(APP), timers, timeouts, CHANNEL_LIMITS,
                new RedisRtmDirectory(node("b")));
    }

    @Override
    protected void stopTransport() {
        serviceB.close();
    }

    @Override
    protected RtmClient newClient(String appId, RtmListener listener) {
        return (clients++ % 2 == 0 ? service : serviceB).createClient(appId, listener);
    }

    /** Members at a node that dies leave their channels for the members at the other nodes. */
    @org.junit.jupiter.api.Test
    void membersOfADeadNodeLeaveTheirChannels() {
        User a = online("alice");
        User b = online("bob");
        RedisCluster nodeC = node("c");
        RtmService serviceC = new RtmService(APP, LoginPolicy.appIdOnly(APP), timers, timeouts, CHANNEL_LIMITS,
                new RedisRtmDirectory(nodeC));
        RecordingListener carolSeen = new RecordingListener();
        RtmClient carol = serviceC.createClient(carolSeen);
        join(carol.login("carol", null));
        join(a.client().joinChannel("room"));
        join(b.client().joinChannel("room"));
        join(carol.joinChannel("room"));
        a.seen().awaitEvent("channel room count 3");
        b.seen().awaitEvent("channel room count 3");
        // a node is "gone" only for nodes that saw it alive (one poll, 250 ms here): wait for that first
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> running.stream()
                .filter(r -> r instanceof RedisCluster && r != nodeC).allMatch(r -> ((RedisCluster) r).isLive("c")));
        serviceC.close(); // no goodbye: carol's entry stays until node c is found gone
        nodeC.close();
        // the survivors purge carol once node c's entry expires (2 s TTL here) and a heartbeat notices
        a.seen().awaitEvent("channel room left carol", Duration.ofSeconds(30));
        b.seen().awaitEvent("channel room left carol", Duration.ofSeconds(30));
        a.seen().awaitEvent("channel room count 2");
        b.seen().awaitEvent("channel room count 2");
        org.assertj.core.api.Assertions.assertThat(join(a.client().getChannelMembers("room"))).containsExactly("alice", "bob");
    }
}
