package io.srproxy.rtc.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.cluster.ClusterTimings;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.Channel;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.RedisServer;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two srproxy nodes (127.0.0.1 and 127.0.0.2) on one redis-server, and two headless Chromium
 * pages, each served by (and logged in to RTM at) its own node: alice at A calls bob at B with
 * an RTM invitation, both join the invitation's RTC channel through srproxy-rtc.js at their own
 * node, and the one that reached the node not holding the channel is redirected to the one that
 * does; both end on the channel's node and hear each other's tone.
 */
class ClusterTwoNodesCallTest {

    private static final double TONE_A = 620;
    private static final double TONE_B = 1380;
    private static final ClusterTimings FAST =
            new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(250));

    @TempDir
    Path tmp;

    private RedisServer redis;
    private Srproxy nodeA;
    private Srproxy nodeB;
    private BrowserPage a;
    private BrowserPage b;

    private RtxConfig node(String ip, String id) {
        RtxConfig d = RtxConfig.defaults();
        return new RtxConfig(d.source(), d.global(), new RtxConfig.Rtc(Optional.of(ip), 0), new RtxConfig.Rtm(ip, 0),
                d.rtm2sip(), d.pstn(), d.proxy(), d.media(), d.limits(), d.log(),
                new RtxConfig.Cluster(Optional.of(redis.uri()), id, ip + ":0"));
    }

    @BeforeEach
    void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        redis = RedisServer.start();
        nodeA = Srproxy.start(node("127.0.0.1", "node-a"), FAST);
        nodeB = Srproxy.start(node("127.0.0.2", "node-b"), FAST);
        Path wavA = Tones.writeWav(tmp.resolve("a.wav"), Tones.sine(TONE_A, 48000, 4, 0.5), 48000);
        Path wavB = Tones.writeWav(tmp.resolve("b.wav"), Tones.sine(TONE_B, 48000, 4, 0.5), 48000);
        a = new BrowserPage(wavA, "127.0.0.1", nodeA.webPort());
        b = new BrowserPage(wavB, "127.0.0.2", nodeB.webPort());
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, nodeB, nodeA, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
    }

    /** Logs the page in to RTM at the node that served it; invitations it gets are accepted and their channel noted. */
    private static String rtmLogin(BrowserPage page, String uid) {
        return String.valueOf(page.async("const RTM = await import('/srproxy-rtm.js');"
                + "window.rtm = RTM.createInstance('srproxy');"
                + "window.rtm.on('RemoteInvitationReceived', (inv) => { window.invitedTo = inv.channelId; inv.accept(); });"
                + "await window.rtm.login({ uid: arguments[0] }); return 'ok';", uid));
    }

    @Test
    void appsAtTwoNodesCallEachOtherAndMeetOnTheChannelsNode() {
        assertThat(rtmLogin(a, "alice")).isEqualTo("ok");
        assertThat(rtmLogin(b, "bob")).isEqualTo("ok");
        assertThat(a.async("const inv = window.rtm.createLocalInvitation('bob'); inv.channelId = 'cross-call';"
                + "const accepted = new Promise((ok) => inv.on('LocalInvitationAccepted', () => ok('accepted')));"
                + "inv.send(); return await accepted;")).isEqualTo("accepted");
        await().atMost(Duration.ofSeconds(10)).until(() -> "cross-call".equals(b.js("return window.invitedTo;")));

        assertThat(a.join("cross-call", "alice", false, "vp8")).isEqualTo("ok");
        assertThat(b.join("cross-call", "bob", false, "vp8")).isEqualTo("ok");

        // both joins ended on the channel's node: A, where alice joined first; B has no such channel
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.rtc().channels().channel("cross-call")
                .map(Channel::uids).orElse(List.of()).containsAll(List.of("alice", "bob")));
        assertThat(nodeB.rtc().channels().channel("cross-call")).isEmpty();

        Duration setup = Duration.ofSeconds(30);
        await().atMost(setup).until(() -> a.events().contains("user-published bob audio")
                && b.events().contains("user-published alice audio"));
        await().atMost(setup).untilAsserted(() -> assertThat(a.remotePeakHz("bob")).isCloseTo(TONE_B, Offset.offset(15.0)));
        await().atMost(setup).untilAsserted(() -> assertThat(b.remotePeakHz("alice")).isCloseTo(TONE_A, Offset.offset(15.0)));
    }
}
