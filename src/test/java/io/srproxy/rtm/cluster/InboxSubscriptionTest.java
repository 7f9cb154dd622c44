package io.srproxy.rtm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.cluster.ClusterTimings;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.rtm.RtmDirectory;
import io.srproxy.testsupport.RedisServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node's inbox is subscribed once {@link RedisRtmDirectory#start} returns: another node may
 * send to it at once (an invitation's forwarded acknowledgement, in ClusteredScenariosTest), and
 * Redis pub/sub drops what is published to a channel nobody has subscribed yet.
 */
class InboxSubscriptionTest {

    private static final ClusterTimings FAST =
            new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(250));
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aMessageSentAsSoonAsANodeStartedArrives() throws Exception {
        try (RedisCluster senderCluster = RedisCluster.start(redis.uri(), "inbox", "sender", "127.0.0.1:1", FAST, () -> 0)) {
            RedisRtmDirectory sender = new RedisRtmDirectory(senderCluster);
            sender.start(new Recorder(null));
            for (int i = 0; i < 30; i++) {
                String id = "fresh-" + i;
                try (RedisCluster c = RedisCluster.start(redis.uri(), "inbox", id, "127.0.0.1:1", FAST, () -> 0)) {
                    CountDownLatch got = new CountDownLatch(1);
                    new RedisRtmDirectory(c).start(new Recorder(got));
                    sender.send(id, new RtmDirectory.SessionGone("sender", new RtmDirectory.SessionRef("bob", id, 1)));
                    assertThat(got.await(3, TimeUnit.SECONDS)).as("node %s got the message sent right after its start", id).isTrue();
                }
            }
        }
    }

    private record Recorder(CountDownLatch got) implements RtmDirectory.Node {
        @Override
        public void received(RtmDirectory.NodeMessage message) {
            if (got != null) {
                got.countDown();
            }
        }

        @Override
        public void presence(String uid, RtmDirectory.SessionRef where) {}

        @Override
        public void nodeGone(String node) {}

        @Override
        public void lostOwnership(RtmDirectory.SessionRef session) {}
    }
}
