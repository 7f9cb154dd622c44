package io.srproxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.ws.WsRtmClient;
import io.srproxy.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two srproxy nodes in this JVM, on 127.0.0.1 and 127.0.0.2, sharing a real redis-server: RTM
 * works across them as on one node (peer messages, presence, invitations, REMOTE_LOGIN).
 */
class ClusterRtmTest {

    /** Short heartbeats so that node changes show quickly; the default bound is tested in {@link NodeLossIT}. */
    static final ClusterTimings FAST = new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(250));

    private static RedisServer redis;
    private static Srproxy a;
    private static Srproxy b;
    private final List<RtmClient> clients = new ArrayList<>();

    @BeforeAll
    static void startNodes() throws Exception {
        redis = RedisServer.start();
        a = Srproxy.start(node("127.0.0.1", "node-a", redis.uri()), FAST);
        b = Srproxy.start(node("127.0.0.2", "node-b", redis.uri()), FAST);
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

    @AfterEach
    void logOut() {
        clients.forEach(RtmClient::close);
    }

    /** A node on {@code ip} with free ports, one of the cluster on {@code redisUri}. */
    static RtxConfig node(String ip, String nodeId, String redisUri) {
        RtxConfig d = RtxConfig.defaults();
        return new RtxConfig(d.source(), d.global(), new RtxConfig.Rtc(Optional.of(ip), 0), new RtxConfig.Rtm(ip, 0),
                d.rtm2sip(), d.pstn(), d.proxy(), d.media(), d.limits(), d.log(),
                new RtxConfig.Cluster(Optional.of(redisUri), nodeId, ip + ":0"));
    }

    private RtmClient login(Srproxy node, String uid, RecordingListener seen) throws Exception {
        String ip = node.config().rtm().ip();
        RtmClient c = WsRtmClient.create(URI.create("ws://" + ip + ":" + node.webPort() + "/rtm"),
                node.config().global().appId(), seen);
        clients.add(c);
        c.login(uid, null).get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void peerMessagesCrossNodes() throws Exception {
        RecordingListener aliceSeen = new RecordingListener();
        RecordingListener bobSeen = new RecordingListener();
        RtmClient alice = login(a, "m-alice", aliceSeen);
        RtmClient bob = login(b, "m-bob", bobSeen);

        alice.sendMessageToPeer("m-bob", "hello from A").get(10, TimeUnit.SECONDS);
        bobSeen.awaitEvent("message m-alice: hello from A");
        bob.sendMessageToPeer("m-alice", "hello from B").get(10, TimeUnit.SECONDS);
        aliceSeen.awaitEvent("message m-bob: hello from B");

        assertThat(alice.sendMessageToPeer("m-nobody", "x")).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().withMessageContaining("PEER_OFFLINE");
    }

    @Test
    void presenceQueriesAndSubscriptionsCrossNodes() throws Exception {
        RecordingListener aliceSeen = new RecordingListener();
        RtmClient alice = login(a, "p-alice", aliceSeen);
        RtmClient bob = login(b, "p-bob", new RecordingListener());

        assertThat(alice.queryPeersOnlineStatus(List.of("p-bob", "p-nobody", "p-alice")).get(10, TimeUnit.SECONDS))
                .containsExactly(Map.entry("p-bob", true), Map.entry("p-nobody", false), Map.entry("p-alice", true));

        alice.subscribePeersOnlineStatus(List.of("p-bob", "p-carol")).get(10, TimeUnit.SECONDS);
        aliceSeen.awaitEvent("presence p-bob=ONLINE");
        aliceSeen.awaitEvent("presence p-carol=OFFLINE");

        bob.logout().get(10, TimeUnit.SECONDS);
        aliceSeen.awaitEvent("presence p-bob=OFFLINE");
        login(b, "p-carol", new RecordingListener());
        aliceSeen.awaitEvent("presence p-carol=ONLINE");
        // a watcher on the user's own node hears it too (through Redis, in the same order as everyone)
        RecordingListener daveSeen = new RecordingListener();
        RtmClient dave = login(b, "p-dave", daveSeen);
        dave.subscribePeersOnlineStatus(List.of("p-bob")).get(10, TimeUnit.SECONDS);
        daveSeen.awaitEvent("presence p-bob=OFFLINE");
        login(b, "p-bob", new RecordingListener());
        daveSeen.awaitEvent("presence p-bob=ONLINE");
        aliceSeen.awaitEvent("presence p-bob=ONLINE");
    }

    @Test
    void invitationAcrossNodesAccepted() throws Exception {
        RecordingListener callerSeen = new RecordingListener();
        RecordingListener calleeSeen = new RecordingListener();
        RtmClient caller = login(a, "i-caller", callerSeen);
        login(b, "i-callee", calleeSeen);

        LocalInvitation inv = caller.createLocalInvitation("i-callee").setContent("{\"Mode\":0}").setChannelId("ch-1");
        inv.send();
        RemoteInvitation remote = calleeSeen.awaitRemote(1);
        assertThat(remote.callerId()).isEqualTo("i-caller");
        assertThat(remote.channelId()).isEqualTo("ch-1");
        callerSeen.awaitEvent("local received");
        remote.setResponse("yes").accept();
        callerSeen.awaitEvent("local accepted yes");
        calleeSeen.awaitEvent("remote accepted");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.rtm().liveInvitations().get() == 0);
    }

    @Test
    void invitationAcrossNodesRefusedAndCancelled() throws Exception {
        RecordingListener callerSeen = new RecordingListener();
        RecordingListener calleeSeen = new RecordingListener();
        RtmClient caller = login(a, "c-caller", callerSeen);
        login(b, "c-callee", calleeSeen);

        LocalInvitation first = caller.createLocalInvitation("c-callee");
        first.send();
        calleeSeen.awaitRemote(1);
        callerSeen.awaitEvent("local received");
        first.cancel();
        callerSeen.awaitEvent("local canceled");
        calleeSeen.awaitEvent("remote canceled");
        // the callee acting on it now gets the single outcome: it is over
        assertThat(calleeSeen.remotes.get(0).accept()).isNotNull();

        LocalInvitation second = caller.createLocalInvitation("c-callee");
        second.send();
        calleeSeen.awaitRemote(2).setResponse("busy").refuse();
        callerSeen.awaitEvent("local refused busy");
        calleeSeen.awaitEvent("remote refused");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.rtm().liveInvitations().get() == 0);
    }

    @Test
    void invitationWaitsForACalleeWhoLogsInAtAnotherNode() throws Exception {
        RecordingListener callerSeen = new RecordingListener();
        RtmClient caller = login(a, "w-caller", callerSeen);
        caller.createLocalInvitation("w-callee").send();
        RecordingListener calleeSeen = new RecordingListener();
        login(b, "w-callee", calleeSeen);
        calleeSeen.awaitRemote(1).accept();
        callerSeen.awaitEvent("local accepted ");
    }

    @Test
    void callerLeavingEndsTheCalleesInvitationOnTheOtherNode() throws Exception {
        RecordingListener calleeSeen = new RecordingListener();
        RtmClient caller = login(a, "l-caller", new RecordingListener());
        login(b, "l-callee", calleeSeen);
        caller.createLocalInvitation("l-callee").send();
        calleeSeen.awaitRemote(1);
        caller.logout().get(10, TimeUnit.SECONDS);
        calleeSeen.awaitEvent("remote failure PEER_OFFLINE");
    }

    @Test
    void secondLoginAtAnotherNodeEndsTheFirstWithRemoteLogin() throws Exception {
        RecordingListener watcherSeen = new RecordingListener();
        RtmClient watcher = login(b, "r-watcher", watcherSeen);
        RecordingListener firstSeen = new RecordingListener();
        login(a, "r-user", firstSeen);
        watcher.subscribePeersOnlineStatus(List.of("r-user")).get(10, TimeUnit.SECONDS);
        watcherSeen.awaitEvent("presence r-user=ONLINE");

        RecordingListener secondSeen = new RecordingListener();
        RtmClient second = login(b, "r-user", secondSeen);
        firstSeen.awaitEvent("state ABORTED REMOTE_LOGIN");
        // the uid stayed online throughout, and messages reach the new session
        login(a, "r-sender", new RecordingListener()).sendMessageToPeer("r-user", "to the new one").get(10, TimeUnit.SECONDS);
        secondSeen.awaitEvent("message r-sender: to the new one");
        assertThat(watcherSeen.events).doesNotContain("presence r-user=OFFLINE");
        assertThat(second.queryPeersOnlineStatus(List.of("r-user")).get(10, TimeUnit.SECONDS)).containsEntry("r-user", true);
    }

    @Test
    void apiListsTheNodes() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + a.webPort() + "/api/cluster")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("\"node\":\"node-a\"").contains("\"id\":\"node-a\"").contains("\"id\":\"node-b\"");
        String health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + a.webPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(health).contains("\"cluster\"");
    }
}
