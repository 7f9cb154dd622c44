package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.Srproxy;
import io.srproxy.cluster.ClusterTimings;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RTC channels placed on nodes (two srproxy nodes on 127.0.0.1 and 127.0.0.2, one redis-server):
 * a channel lives where its first member joined; a join reaching the other node gets a
 * {@code redirect} naming the owner's /rtc URL, and joining there works; an emptied channel is
 * released, so the next first join takes it wherever it lands. /api/cluster shows where it lives
 * and each node's load; /metrics carries the node's id.
 */
class ClusterRtcPlacementTest {

    private static final ClusterTimings FAST =
            new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(250));
    private static RedisServer redis;
    private static Srproxy a;
    private static Srproxy b;

    @BeforeAll
    static void startNodes() throws Exception {
        redis = RedisServer.start();
        a = Srproxy.start(node("127.0.0.1", "node-a"), FAST);
        b = Srproxy.start(node("127.0.0.2", "node-b"), FAST);
    }

    @AfterAll
    static void stopNodes() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
    }

    private static RtxConfig node(String ip, String nodeId) {
        RtxConfig d = RtxConfig.defaults();
        return new RtxConfig(d.source(), d.global(), new RtxConfig.Rtc(Optional.of(ip), 0), new RtxConfig.Rtm(ip, 0),
                d.rtm2sip(), d.pstn(), d.proxy(), d.media(), d.limits(), d.log(),
                new RtxConfig.Cluster(Optional.of(redis.uri()), nodeId, ip + ":0"));
    }

    private static Map<String, Object> join(String uid, String channel, String sdp) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "join");
        m.put("appId", RtxConfig.defaults().global().appId());
        m.put("channel", channel);
        m.put("uid", uid);
        m.put("token", null);
        m.put("sdp", sdp);
        m.put("multistream", true);
        return m;
    }

    private static String get(Srproxy node, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + node.config().rtm().ip() + ":"
                + node.webPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aJoinAtTheOtherNodeIsRedirectedToTheChannelsNode() throws Exception {
        try (WsTestClient alice = new WsTestClient("127.0.0.1", a.webPort());
             WsTestClient bobAtB = new WsTestClient("127.0.0.2", b.webPort());
             JavaWebRtcPeer alicePeer = new JavaWebRtcPeer(); JavaWebRtcPeer bobPeer = new JavaWebRtcPeer()) {
            alice.send(join("alice", "placed", alicePeer.offer()));
            assertThat(alice.next("joined").path("uid").asText()).isEqualTo("alice");

            bobAtB.send(join("bob", "placed", bobPeer.offer()));
            JsonNode redirect = bobAtB.next("redirect");
            assertThat(redirect.path("channel").asText()).isEqualTo("placed");
            assertThat(redirect.path("node").asText()).isEqualTo("node-a");
            assertThat(redirect.path("url").asText()).isEqualTo("ws://127.0.0.1:" + a.webPort() + "/rtc");
            assertThat(b.rtc().channels().size()).as("nothing joined at b").isZero();

            try (WsTestClient bob = new WsTestClient("127.0.0.1", a.webPort())) {
                bob.send(join("bob", "placed", bobPeer.offer()));
                JsonNode joined = bob.next("joined");
                assertThat(joined.path("users").toString()).contains("\"alice\"");
                alice.next("user-joined");

                assertThat(get(b, "/api/cluster")).containsPattern("\\{(\"channel\":\"placed\",\"node\":\"node-a\""
                        + "|\"node\":\"node-a\",\"channel\":\"placed\")\\}");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(b, "/api/cluster"))
                        .contains("\"node\":\"node-a\"").containsPattern("\"id\":\"node-a\"[^}]*\"channels\":1"));
            }
            alice.send(Map.of("type", "leave"));
            alice.next("left");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.rtc().channels().size() == 0);

            assertThat(get(a, "/metrics")).as("every series says which node it is from")
                    .contains("node=\"node-a\"").doesNotContain("node=\"node-b\"");
            // empty, the channel was released: the next first join takes it where it lands
            bobAtB.send(join("carol", "placed", bobPeer.offer()));
            assertThat(bobAtB.next("joined").path("uid").asText()).isEqualTo("carol");
            assertThat(b.rtc().channels().size()).isEqualTo(1);
        }
    }
}
