package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.srproxy.Srproxy;
import io.srproxy.cluster.ClusterTimings;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.sip.RegistrationState;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.CuttableLink;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * The gateway on two nodes (127.0.0.1 and 127.0.0.2) sharing a real redis-server, both registered
 * as extension 1000 at a real Kamailio, which forks a call to 0&lt;uid&gt; to both contacts:
 * acc_rule account 2001 is online once (node A's, which started first), busy across nodes, a forked
 * INVITE makes one app invitation and the caller gets the app's answer, and node A cut off from
 * Redis (as if killed: it renews nothing any more) loses 2001 to node B within the lease bound.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterGatewayTest {

    private static final String APP_ID = "gw-cluster";
    private static final String PREFIX = "srproxy:" + APP_ID + ":";
    /** Short leases: 2 s TTL, renewed every second by the gateway, heartbeats every 500 ms. */
    private static final ClusterTimings FAST = new ClusterTimings(Duration.ofMillis(500), Duration.ofSeconds(2),
            Duration.ofMillis(250));

    private static RedisServer redis;
    private static CuttableLink linkA;
    private static KamailioServer kamailio;
    private static int pstnPort;
    private static Srproxy a;
    private static Srproxy b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        linkA = new CuttableLink(redis.port(), 8);
        pstnPort = FreePorts.tcpAndUdp();
        kamailio = KamailioServer.start("1000", pstnPort, KamailioServer.ZeroMode.KEEP, 300);
        a = node("127.0.0.1", "node-a", linkA.port());
        // A holds 2001 before B starts: B must leave it to A
        await().atMost(Duration.ofSeconds(10)).until(() -> "node-a".equals(get(PREFIX + "gw:acc:2001")));
        b = node("127.0.0.2", "node-b", redis.port());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, linkA, a, kamailio, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
    }

    private static Srproxy node(String ip, String nodeId, int redisPort) {
        int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
        String conf = String.join("\n",
                "[global]", "appid=" + APP_ID, "sip_svr=127.0.0.1:" + kamailio.port(), "sip_local_ip=" + ip,
                "sip_local_port=" + FreePorts.tcpAndUdp(),
                "[rtm]", "ip=" + ip, "port=" + FreePorts.tcpAndUdp(),
                "[rtc]", "ip=" + ip, "port=" + FreePorts.tcpAndUdp(),
                "[rtm2sip]", "on=1", "acc_rule=2001", "ring_timeout=20",
                "[pstn]", "prefix=9", "[conference]", "on=1", "prefix=8",
                "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 200),
                "[cluster]", "redis=redis://127.0.0.1:" + redisPort, "node_id=" + nodeId, "");
        var binding = RtxConfigBinder.bind(RtxFile.parse(conf, nodeId + ".conf"));
        assertThat(binding.errors()).isEmpty();
        Srproxy s = Srproxy.start(binding.config(), FAST);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.sip().orElseThrow().registrations().stream()
                .allMatch(r -> r.state() == RegistrationState.REGISTERED));
        return s;
    }

    @Test
    @Order(1)
    void theAccountIsOnlineOnceAtTheNodeHoldingItsLease() throws Exception {
        String session = await().atMost(Duration.ofSeconds(10)).until(() -> get(PREFIX + "rtm:uid:2001"),
                v -> v != null && v.startsWith("node-a "));
        try (AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "6001")) {
            assertThat(app.client.queryPeersOnlineStatus(List.of("2001")).get(10, TimeUnit.SECONDS))
                    .containsEntry("2001", true);
        }
        // several renewals later: still node A's lease and the same RTM session (B never logged it in)
        Thread.sleep(2500);
        assertThat(get(PREFIX + "gw:acc:2001")).isEqualTo("node-a");
        assertThat(get(PREFIX + "rtm:uid:2001")).isEqualTo(session);
        // each node's presence identity is its own, so they do not take it from each other either
        assertThat(get(PREFIX + "rtm:uid:sip~~n.node-a")).startsWith("node-a ");
        assertThat(get(PREFIX + "rtm:uid:sip~~n.node-b")).startsWith("node-b ");
    }

    @Test
    @Order(2)
    void theAccountIsBusyForAnAppAtTheOtherNode() throws Exception {
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort);
             AppUser first = new AppUser("127.0.0.1", a.webPort(), APP_ID, "6002");
             AppUser second = new AppUser("127.0.0.2", b.webPort(), APP_ID, "6003")) {
            LocalInvitation ringing = first.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550002\"}");
            first.awaitStartingWith("received by peer");
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.calls().active().isEmpty());

            second.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550003\"}");
            assertThat(second.awaitStartingWith("refused ")).isEqualTo("refused " + GatewayMessages.busy());
            assertThat(b.calls().active()).isEmpty();

            // cancel once the PSTN side rings: a CANCEL before the INVITE left ends the call unseen by sipp
            await().atMost(Duration.ofSeconds(10)).until(() -> pstn.messages().contains("SIP/2.0 180"));
            ringing.cancel();
            pstn.assertPassed(); // the PSTN side got CANCEL
            GatewayUnderTest.awaitNoActiveCalls(a);
        }
    }

    @Test
    @Order(3)
    void aForkedInviteMakesOneInvitationAndTheCallerGetsTheAppsAnswer() throws Exception {
        ListAppender<ILoggingEvent> branches = capture();
        try {
            for (String[] side : new String[][] {{"127.0.0.2", "7001"}, {"127.0.0.1", "7002"}}) {
                Srproxy at = side[0].equals("127.0.0.1") ? a : b;
                try (AppUser app = new AppUser(side[0], at.webPort(), APP_ID, side[1])) {
                    app.onInvitation = "refuse:" + GatewayMessages.busy();
                    int before = otherBranchLines(branches);
                    try (Sipp caller = Sipp.uac("uac_expect_final.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(),
                            "0" + side[1], "@STATUS@", "486", "@MLINE@", "0", "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
                        caller.assertPassed(); // 486 from both branches: the one that took it, and the other following it
                    }
                    // Kamailio sent the INVITE to both nodes, and one of them left it to the other
                    await().atMost(Duration.ofSeconds(15)).until(() -> otherBranchLines(branches) > before);
                    Thread.sleep(500); // a second invitation would have come by now
                    assertThat(app.invitations).hasSize(1);
                    GatewayUnderTest.awaitNoActiveCalls(a);
                    GatewayUnderTest.awaitNoActiveCalls(b);
                }
            }
        } finally {
            release(branches);
        }
    }

    @Test
    @Order(3)
    void aCallReachingNodeAFindsTheAppLoggedInAtNodeB() throws Exception {
        try (AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "7005")) {
            app.onInvitation = "refuse:" + GatewayMessages.busy();
            // straight to node A, not through Kamailio: only A sees the call
            try (Sipp caller = Sipp.uac("uac_expect_final.xml", "127.0.0.1", "127.0.0.1:" + a.sip().orElseThrow().port(),
                    "07005", "@STATUS@", "486", "@MLINE@", "0", "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
                caller.assertPassed();
            }
            assertThat(app.invitations).singleElement().satisfies(i -> assertThat(i.callerId()).startsWith("sip~sipp"));
            GatewayUnderTest.awaitNoActiveCalls(a);
            assertThat(a.calls().recent()).anySatisfy(c -> assertThat(c.uid()).isEqualTo("7005"));
        }
    }

    /**
     * docs/cluster.md "Set-up 2": a Kamailio of its own (src/test/resources/kamailio/dispatcher.cfg,
     * the documented routing) spreads INVITEs over the two nodes round robin; two calls, so one of
     * them goes to node A, and each reaches the app logged in at node B once.
     */
    @Test
    @Order(3)
    void kamailiosDispatcherSendsEachCallToOneNodeAndItReachesTheAppAtEither() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("srproxy-dispatcher");
        java.nio.file.Path list = java.nio.file.Files.writeString(dir.resolve("dispatcher.list"),
                "1 sip:127.0.0.1:" + a.sip().orElseThrow().port() + "\n1 sip:127.0.0.2:" + b.sip().orElseThrow().port() + "\n");
        int port = FreePorts.tcpAndUdp();
        String cfg;
        try (java.io.InputStream in = ClusterGatewayTest.class.getResourceAsStream("/kamailio/dispatcher.cfg")) {
            cfg = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String modules = java.util.stream.Stream.of("/usr/lib/x86_64-linux-gnu/kamailio/modules/", "/usr/lib/aarch64-linux-gnu/kamailio/modules/",
                "/usr/lib/kamailio/modules/").filter(m -> java.nio.file.Files.isDirectory(java.nio.file.Path.of(m))).findFirst().orElseThrow();
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("dispatcher.cfg"), cfg.replace("@PORT@", Integer.toString(port))
                .replace("@MPATH@", modules).replace("@LIST@", list.toString()));
        Process dispatcher = new ProcessBuilder(io.srproxy.testsupport.Peers.kamailio().toString(), "-f", file.toString(), "-DD", "-E",
                "-m", "16", "-M", "4", "-Y", dir.toString(), "-P", dir.resolve("kamailio.pid").toString(), "-w", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        try (AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "7006")) {
            app.onInvitation = "refuse:" + GatewayMessages.busy();
            await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.readString(dir.resolve("kamailio.log"))
                    .contains("Listening on") || !dispatcher.isAlive());
            assertThat(dispatcher.isAlive()).as("kamailio with dispatcher.cfg started; see " + dir.resolve("kamailio.log")).isTrue();
            for (int call = 1; call <= 2; call++) {
                try (Sipp caller = Sipp.uac("uac_expect_final.xml", "127.0.0.1", "127.0.0.1:" + port, "07006",
                        "@STATUS@", "486", "@MLINE@", "0", "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
                    caller.assertPassed(); // the app's answer, whichever node the call was sent to
                }
                assertThat(app.invitations).as("invitations after call %d", call).hasSize(call);
            }
            String log = java.nio.file.Files.readString(dir.resolve("kamailio.log"));
            assertThat(log).as("Kamailio sent one call to each node").contains("to sip:127.0.0.1:" + a.sip().orElseThrow().port())
                    .contains("to sip:127.0.0.2:" + b.sip().orElseThrow().port());
            // docs/cluster.md's keep-alive wiring ran on each call (srproxy the callee); none falls due in so short a call
            assertThat(log.split("dialog keep-alives: ka-dst for ", -1)).as("ka-dst set on both calls").hasSize(3);
            assertThat(log).doesNotContain("ka-src").doesNotContain("ERROR: dialog");
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            assertThat(a.calls().recent()).anySatisfy(c -> assertThat(c.uid()).isEqualTo("7006"));
        } finally {
            dispatcher.destroy();
            if (!dispatcher.waitFor(5, TimeUnit.SECONDS)) {
                dispatcher.destroyForcibly();
            }
        }
    }

    @Test
    @Order(4)
    void aForkedInviteAcceptedByTheAppIsOneCallAndTheOtherBranchEnds() throws Exception {
        ListAppender<ILoggingEvent> branches = capture();
        try (AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "7003")) {
            app.onInvitation = "accept";
            int before = otherBranchLines(branches);
            try (Sipp caller = Sipp.uac("uac_hold_resume.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "07003",
                    "resume_port", Integer.toString(FreePorts.tcpAndUdp()))) {
                caller.assertPassed(); // answered once (one 200, one dialog), re-INVITEs and BYE through it
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> otherBranchLines(branches) > before);
            assertThat(app.invitations).hasSize(1);
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            assertThat(a.calls().recent().size() + b.calls().recent().size()).isPositive();
        } finally {
            release(branches);
        }
    }

    @Test
    @Order(4)
    void aPerCallIdentityAnotherNodesCallHasIsNotTakenFromIt() throws Exception {
        // other nodes' calls from "sipp" log in as sip~sipp and sip~sipp~2: this call must take the next identity
        assertThat(redis.command("SET " + PREFIX + "gw:caller:sip~sipp node-x PX 60000")).isEqualTo("+OK");
        assertThat(redis.command("SET " + PREFIX + "gw:caller:sip~sipp~2 node-x PX 60000")).isEqualTo("+OK");
        try (AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "7004")) {
            app.onInvitation = "refuse:" + GatewayMessages.busy();
            try (Sipp caller = Sipp.uac("uac_expect_final.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "07004",
                    "@STATUS@", "486", "@MLINE@", "0", "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
                caller.assertPassed();
            }
            // the next free one: ~3, or a later one while an earlier test's call identity is still held
            // (not sip~sipp and ~2 in turn until the tries run out, as it once did)
            assertThat(app.invitations).hasSize(1);
            String identity = app.invitations.get(0).callerId();
            assertThat(identity).matches("sip~sipp~([3-9]|[1-9][0-9]+)");
            assertThat(get(PREFIX + "gw:caller:sip~sipp")).isEqualTo("node-x");
            assertThat(get(PREFIX + "gw:caller:sip~sipp~2")).isEqualTo("node-x");
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            // released once the call's identity is logged out (2 s after its end)
            await().atMost(Duration.ofSeconds(10)).until(() -> get(PREFIX + "gw:caller:" + identity) == null);
        } finally {
            redis.command("DEL " + PREFIX + "gw:caller:sip~sipp");
            redis.command("DEL " + PREFIX + "gw:caller:sip~sipp~2");
        }
    }

    @Test
    @Order(4)
    void aForkedDialInJoinsTheRoomOnce() throws Exception {
        ListAppender<ILoggingEvent> branches = capture();
        try {
            int before = otherBranchLines(branches);
            try (Sipp caller = Sipp.uac("uac_hold_resume.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "8424242",
                    "resume_port", Integer.toString(FreePorts.tcpAndUdp()))) {
                caller.assertPassed(); // one dialog: answered once, re-INVITEs and BYE through it
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> otherBranchLines(branches) > before);
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            long legs = java.util.stream.Stream.concat(a.calls().recent().stream(), b.calls().recent().stream())
                    .filter(c -> c.direction() == CallRecord.Direction.SIP_TO_CONFERENCE).count();
            assertThat(legs).isEqualTo(1);
        } finally {
            release(branches);
        }
    }

    /**
     * The app at node B joins its channel first (so the channel lives at B) and then invites 2001,
     * whose account node A holds: A has B run the SIP leg, in B's channel, so the app's RTP reaches
     * the phone (sipp echoing it) and comes back; the app's EndCall ends the SIP dialog (sipp gets BYE).
     */
    @Test
    @Order(4)
    void anAppCallingAnExtensionHeldByTheOtherNodeGetsTheSipLegAtItsChannelsNode() throws Exception {
        String channel = "legplace-" + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        try (Sipp pstn = Sipp.uas("uas_answer.xml", pstnPort);
             AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "6005");
             io.srproxy.rtc.ws.WsTestClient rtc = new io.srproxy.rtc.ws.WsTestClient("127.0.0.2", b.webPort());
             io.srproxy.rtc.webrtc.JavaWebRtcPeer peer = new io.srproxy.rtc.webrtc.JavaWebRtcPeer()) {
            Map<String, Object> join = new java.util.HashMap<>();
            join.put("type", "join");
            join.put("appId", APP_ID);
            join.put("channel", channel);
            join.put("uid", "6005");
            join.put("token", null);
            join.put("sdp", peer.offer()); // Opus: the app's audio is transcoded to the phone's PCMU at node B
            rtc.send(join);
            peer.connect(rtc.next("joined").path("sdp").asText());
            rtc.send(Map.of("type", "publish", "mediaType", "audio"));
            assertThat(get(PREFIX + "rtc:ch:" + channel)).isEqualTo("node-b");
            assertThat(get(PREFIX + "gw:acc:2001")).isEqualTo("node-a");

            app.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550005\",\"ChanId\":\"" + channel + "\"}");
            app.awaitStartingWith("accepted ");
            assertThat(b.rtc().channels().channel(channel).orElseThrow().uids()).contains("6005", "2001");
            assertThat(a.rtc().channels().channel(channel)).as("no copy of the channel at node A").isEmpty();
            assertThat(a.calls().active()).singleElement().satisfies(c -> assertThat(c.direction())
                    .isEqualTo(CallRecord.Direction.APP_TO_PSTN));

            io.srproxy.media.MediaCounters rtpA = a.sip().orElseThrow().rtpMedia();
            io.srproxy.media.MediaCounters rtpB = b.sip().orElseThrow().rtpMedia();
            long inA = rtpA.packetsIn.sum();
            long inB = rtpB.packetsIn.sum();
            long outB = rtpB.packetsOut.sum();
            byte[] silence = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE}; // one 20 ms Opus frame of silence
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; peer.rtpReceived.get() < 20 && System.nanoTime() < deadline; i++) {
                peer.sendRtp(111, i, 960L * i, 0x6005, silence, false);
                Thread.sleep(20); // paced as a phone would send
            }
            assertThat(peer.rtpReceived.get()).as("the app's RTP came back through the phone").isGreaterThanOrEqualTo(20);
            assertThat(rtpB.packetsOut.sum() - outB).as("node B sent the app's audio to the phone").isGreaterThanOrEqualTo(20);
            assertThat(rtpB.packetsIn.sum() - inB).as("node B got the phone's echo").isGreaterThanOrEqualTo(20);
            assertThat(rtpA.packetsIn.sum()).as("no RTP at node A").isEqualTo(inA);

            app.client.sendMessageToPeer("2001", "{\"Cmd\":\"EndCall\"}").get();
            pstn.assertPassed(); // sipp got BYE: the SIP dialog (node B's) ended
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            assertThat(b.calls().recent()).anySatisfy(c -> assertThat(c.channelId()).isEqualTo(channel));
        }
    }

    /**
     * The other order: the app at node B invites 2001 (held by node A) before joining. Node A claims
     * the unclaimed channel for its SIP leg at once, so the app's join at B, while the phone still
     * rings, is redirected to A; the app's cancel frees the channel.
     */
    @Test
    @Order(4)
    void aChannelNotYetJoinedIsClaimedForTheSipLegAndTheAppsJoinFollowsIt() throws Exception {
        String channel = "legplace-" + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort);
             AppUser app = new AppUser("127.0.0.2", b.webPort(), APP_ID, "6006");
             io.srproxy.rtc.ws.WsTestClient rtc = new io.srproxy.rtc.ws.WsTestClient("127.0.0.2", b.webPort());
             io.srproxy.rtc.webrtc.JavaWebRtcPeer peer = new io.srproxy.rtc.webrtc.JavaWebRtcPeer()) {
            LocalInvitation ringing = app.invite("2001",
                    "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550006\",\"ChanId\":\"" + channel + "\"}");
            app.awaitStartingWith("received by peer");
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.calls().active().isEmpty());
            assertThat(get(PREFIX + "rtc:ch:" + channel)).isEqualTo("node-a");

            Map<String, Object> join = new java.util.HashMap<>();
            join.put("type", "join");
            join.put("appId", APP_ID);
            join.put("channel", channel);
            join.put("uid", "6006");
            join.put("token", null);
            join.put("sdp", peer.offer());
            rtc.send(join);
            assertThat(rtc.next("redirect").path("node").asText()).isEqualTo("node-a");

            await().atMost(Duration.ofSeconds(10)).until(() -> pstn.messages().contains("SIP/2.0 180"));
            ringing.cancel();
            pstn.assertPassed(); // the phone got CANCEL
            GatewayUnderTest.awaitNoActiveCalls(a);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(PREFIX + "rtc:ch:" + channel) == null);
        }
    }

    /**
     * A group call ({@code Conference: true}) whose channel lives at node B: two apps joined it at B
     * (multistream), and one of them, logged in to RTM at node A, invites 2001, which node A holds.
     * A has B run the SIP leg in B's channel (three members: the conference mixer): the apps' audio
     * reaches the phone (sipp echoing it) and the phone's comes back to each app on its own track,
     * all at node B. The apps leave as the call app's "Leave" does (no EndCall): the phone, alone, is
     * hung up by node B (sipp gets BYE), the inviter gets EndCall from 2001 through node A, and
     * neither node keeps a call, a SIP dialog or the channel.
     */
    @Test
    @Order(4)
    void anAppInAGroupCallAtTheOtherNodeInvitesAnExtensionHeldByThisNode() throws Exception {
        String channel = "group-" + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        try (Sipp pstn = Sipp.uas("uas_answer.xml", pstnPort);
             AppUser app = new AppUser("127.0.0.1", a.webPort(), APP_ID, "6011");
             GroupMember m1 = GroupMember.join(b, channel, "6011");
             GroupMember m2 = GroupMember.join(b, channel, "6012")) {
            assertThat(get(PREFIX + "rtc:ch:" + channel)).isEqualTo("node-b");
            assertThat(get(PREFIX + "gw:acc:2001")).isEqualTo("node-a");

            app.invite("2001", "{\"Mode\":1,\"Conference\":true,\"Pstn\":true,\"SipData\":\"5550011\",\"ChanId\":\""
                    + channel + "\",\"UserData\":[\"6011\",\"6012\",\"2001\"]}");
            app.awaitStartingWith("accepted ");
            io.srproxy.rtc.Channel ch = b.rtc().channels().channel(channel).orElseThrow();
            assertThat(ch.uids()).containsExactlyInAnyOrder("6011", "6012", "2001");
            assertThat(ch.mixing()).as("three members: the conference mixer").isTrue();
            assertThat(a.rtc().channels().channel(channel)).as("no copy of the channel at node A").isEmpty();
            assertThat(a.calls().active()).singleElement().satisfies(c -> assertThat(c.direction())
                    .isEqualTo(CallRecord.Direction.APP_TO_PSTN));
            assertThat(b.calls().active()).singleElement().satisfies(c -> assertThat(c.sipCodec())
                    .as("a phone in a group call is offered G.711 only").hasValue("PCMU"));

            long ssrc1 = m1.subscribe("2001");
            long ssrc2 = m2.subscribe("2001");
            io.srproxy.media.MediaCounters rtpA = a.sip().orElseThrow().rtpMedia();
            io.srproxy.media.MediaCounters rtpB = b.sip().orElseThrow().rtpMedia();
            long inA = rtpA.packetsIn.sum();
            long inB = rtpB.packetsIn.sum();
            long outB = rtpB.packetsOut.sum();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((m1.received(ssrc1) < 20 || m2.received(ssrc2) < 20 || rtpB.packetsOut.sum() - outB < 20
                    || rtpB.packetsIn.sum() - inB < 20) && System.nanoTime() < deadline) {
                m1.send();
                m2.send();
                Thread.sleep(20); // paced as an app sends
            }
            assertThat(m1.received(ssrc1)).as("6011 hears the phone").isGreaterThanOrEqualTo(20);
            assertThat(m2.received(ssrc2)).as("6012 hears the phone").isGreaterThanOrEqualTo(20);
            assertThat(rtpB.packetsOut.sum() - outB).as("node B sent the mix to the phone").isGreaterThanOrEqualTo(20);
            assertThat(rtpB.packetsIn.sum() - inB).as("node B got the phone's echo").isGreaterThanOrEqualTo(20);
            assertThat(rtpA.packetsIn.sum()).as("no RTP at node A").isEqualTo(inA);

            m1.leave();
            m2.leave();
            pstn.assertPassed(); // sipp got BYE: node B hung up the phone left alone
            app.awaitEvent(e -> e.startsWith("message 2001 ") && e.contains("EndCall"));
            GatewayUnderTest.awaitNoActiveCalls(a);
            GatewayUnderTest.awaitNoActiveCalls(b);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.sip().orElseThrow().activeCalls() == 0
                    && b.rtc().channels().channel(channel).isEmpty());
            assertThat(b.calls().recent()).anySatisfy(c -> {
                assertThat(c.channelId()).isEqualTo(channel);
                assertThat(c.endReason()).hasValueSatisfying(r -> assertThat(r).contains("everyone else left the conference"));
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> get(PREFIX + "rtc:ch:" + channel) == null);
        }
    }

    /**
     * Node A, which holds 2001, is cut off from Redis (as if killed: it renews nothing and hears
     * nothing any more) while node B runs the SIP leg of A's call to 2001 (the app's channel lives at
     * B; the app is logged in to RTM at A). B sees A gone and hangs the leg up: the phone gets BYE, B
     * keeps no call; B takes 2001 within the lease bound and is not busy with it (a new call to 2001
     * from an app at B is placed and gets the phone's answer). At A, the app's hang-up cannot reach B
     * any more: A ends its half without B's ENDED, so 2001 is not left busy at A either.
     */
    @Test
    @Order(5)
    void aNodeThatStopsRenewingLosesTheAccountAndTheSipLegItAskedOfTheOtherNode() throws Exception {
        assertThat(get(PREFIX + "gw:acc:2001")).isEqualTo("node-a");
        String channel = "legcut-" + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        try (AppUser app = new AppUser("127.0.0.1", a.webPort(), APP_ID, "6007");
             GroupMember media = GroupMember.join(b, channel, "6007")) {
            try (Sipp pstn = Sipp.uas("uas_answer.xml", pstnPort)) {
                app.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550007\",\"ChanId\":\"" + channel + "\"}");
                app.awaitStartingWith("accepted ");
                assertThat(b.calls().active()).as("the SIP leg runs at node B").singleElement()
                        .satisfies(c -> assertThat(c.channelId()).isEqualTo(channel));

                long cut = System.nanoTime();
                linkA.cut(); // node A renews nothing any more, as if killed
                pstn.assertPassed(); // BYE: node B saw node A gone and hung up the leg it ran for it
                GatewayUnderTest.awaitNoActiveCalls(b);
                await().atMost(Duration.ofSeconds(10)).until(() -> b.sip().orElseThrow().activeCalls() == 0);
                assertThat(b.calls().recent()).anySatisfy(c -> {
                    assertThat(c.channelId()).isEqualTo(channel);
                    assertThat(c.endReason()).hasValueSatisfying(r -> assertThat(r).contains("node node-a is gone"));
                });
                LoggerFactory.getLogger(ClusterGatewayTest.class).info("node B hung up node A's SIP leg {} ms after node A was cut off",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));

                await().atMost(Duration.ofSeconds(15)).until(() -> "node-b".equals(get(PREFIX + "gw:acc:2001")));
                await().atMost(Duration.ofSeconds(10)).until(() -> get(PREFIX + "rtm:uid:2001"), v -> v != null && v.startsWith("node-b "));
                LoggerFactory.getLogger(ClusterGatewayTest.class).info("account 2001 at node B {} ms after node A was cut off",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));
            }
            try (Sipp pstn = Sipp.uas("uas_reject.xml", pstnPort, "@STATUS@", "486", "@REASON@", "Busy Here");
                 AppUser other = new AppUser("127.0.0.2", b.webPort(), APP_ID, "6004")) {
                assertThat(other.client.queryPeersOnlineStatus(List.of("2001")).get(10, TimeUnit.SECONDS))
                        .isEqualTo(Map.of("2001", true));
                other.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550008\"}");
                assertThat(other.awaitStartingWith("refused ")).as("placed, not refused as busy")
                        .contains("\"Cmd\":\"SipError\"").contains("\"Code\":486");
                pstn.assertPassed();
            }
            // the app hangs up at node A, whose HANG_UP to B (and B's ENDED) cannot get through
            assertThat(a.calls().active()).hasSize(1);
            app.client.sendMessageToPeer("2001", "{\"Cmd\":\"EndCall\"}").get(10, TimeUnit.SECONDS);
            GatewayUnderTest.awaitNoActiveCalls(a);
        }
    }

    // ---- helpers ----

    /** An app in a group call: a multistream /rtc member (a Java DTLS-SRTP peer) at {@code node}. */
    private static final class GroupMember implements AutoCloseable {
        private final io.srproxy.rtc.ws.WsTestClient rtc;
        private final io.srproxy.rtc.webrtc.JavaWebRtcPeer peer;
        private final long ssrc = java.util.concurrent.ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private int seq;

        private GroupMember(io.srproxy.rtc.ws.WsTestClient rtc, io.srproxy.rtc.webrtc.JavaWebRtcPeer peer) {
            this.rtc = rtc;
            this.peer = peer;
        }

        static GroupMember join(Srproxy node, String channel, String uid) throws IOException {
            GroupMember m = new GroupMember(new io.srproxy.rtc.ws.WsTestClient(
                    node == a ? "127.0.0.1" : "127.0.0.2", node.webPort()), new io.srproxy.rtc.webrtc.JavaWebRtcPeer());
            try {
                Map<String, Object> join = new java.util.HashMap<>();
                join.put("type", "join");
                join.put("appId", APP_ID);
                join.put("channel", channel);
                join.put("uid", uid);
                join.put("token", null);
                join.put("multistream", true);
                join.put("sdp", m.peer.offer());
                m.rtc.send(join);
                m.peer.connect(m.rtc.next("joined").path("sdp").asText());
                m.rtc.send(Map.of("type", "publish", "mediaType", "audio"));
                return m;
            } catch (IOException | RuntimeException | AssertionError e) {
                m.close();
                throw e;
            }
        }

        /** Renegotiates as the SDK does: one more recvonly audio m-line (mid 2) for {@code uid}; its SSRC. */
        long subscribe(String uid) {
            String offer = peer.offer().replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
            String audio = offer.substring(offer.indexOf("m=audio "), offer.indexOf("m=video "));
            offer += audio.replace("a=mid:0", "a=mid:2").replace("a=sendrecv", "a=recvonly");
            rtc.send(Map.of("type", "offer", "sdp", offer,
                    "subscriptions", List.of(Map.of("mid", "2", "uid", uid, "mediaType", "audio"))));
            com.fasterxml.jackson.databind.JsonNode answer = rtc.next("answer");
            assertThat(answer.path("subscriptions").get(0).path("uid").asText()).isEqualTo(uid);
            return answer.path("subscriptions").get(0).path("ssrc").asLong();
        }

        /** One 20 ms Opus frame of silence. */
        void send() throws IOException {
            peer.sendRtp(111, seq, 960L * seq, ssrc, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE}, false);
            seq++;
        }

        /** RTP packets received with {@code ssrc}. */
        long received(long ssrc) {
            return List.copyOf(peer.received).stream().filter(p -> !io.srproxy.media.rtp.RtpHeader.isRtcp(p, 0, p.length)
                    && io.srproxy.media.rtp.RtpHeader.ssrc(p, 0) == ssrc).count();
        }

        void leave() {
            rtc.send(Map.of("type", "leave"));
        }

        @Override
        public void close() {
            rtc.close();
            peer.close();
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.start();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Gateway.class)).addAppender(list);
        return list;
    }

    private static void release(ListAppender<ILoggingEvent> list) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Gateway.class)).detachAppender(list);
    }

    private static int otherBranchLines(ListAppender<ILoggingEvent> list) {
        return (int) List.copyOf(list.list).stream().filter(e -> e.getFormattedMessage().contains("this branch answers as it does")
                        || e.getFormattedMessage().contains("ended before the cluster said which node takes it")) // CANCEL came first
                .count();
    }

    private static String get(String key) throws IOException {
        return redis.get(key);
    }
}
