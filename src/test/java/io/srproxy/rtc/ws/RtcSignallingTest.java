package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.web.WebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /rtc WebSocket protocol with Java clients and Java WebRTC peers (docs/protocol.md). */
class RtcSignallingTest {

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private RtcService rtc;
    private RtcWebModule module;
    private WebServer web;

    @BeforeEach
    void start() {
        rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 2, clock::get, Duration.ofSeconds(5), false));
        module = new RtcWebModule(rtc, "app1");
        web = new WebServer("127.0.0.1", 0, List.of(module)).start();
    }

    @AfterEach
    void stop() {
        web.close();
        module.close();
        rtc.close();
    }

    private static Map<String, Object> join(String channel, String uid, String sdp) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "join");
        m.put("appId", "app1");
        m.put("channel", channel);
        m.put("uid", uid);
        m.put("token", "ignored");
        m.put("sdp", sdp);
        return m;
    }

    @Test
    void badRequestsGetErrorsNamingTheProblemAndTheSessionGoesOn() throws Exception {
        try (WsTestClient c = new WsTestClient(web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            c.sendRaw("{not json");
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad-json");
            Map<String, Object> wrongApp = join("c", "u", peer.offer());
            wrongApp.put("appId", "other");
            c.send(wrongApp);
            assertThat(c.next("error").path("message").asText()).contains("unknown appId 'other'");
            c.send(join("c", "u", "v=0\r\n"));
            JsonNode badSdp = c.next("error");
            assertThat(badSdp.path("code").asText()).isEqualTo("bad-sdp");
            assertThat(badSdp.path("message").asText()).contains("no m-line");
            c.send(join("x".repeat(65), "u", peer.offer()));
            assertThat(c.next("error").path("message").asText()).contains("is 65 bytes; at most 64 bytes");
            c.send(Map.of("type", "publish", "mediaType", "audio"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("not-joined");
            c.send(Map.of("type", "dance"));
            assertThat(c.next("error").path("message").asText()).contains("unknown request type 'dance'");
            c.send(join("c", "u", peer.offer()));
            assertThat(c.next("joined").path("sdp").asText()).contains("a=ice-lite");
            c.send(Map.of("type", "publish", "mediaType", "smell"));
            assertThat(c.next("error").path("message").asText()).contains("unknown media type 'smell'");
        }
    }

    /** The join offer with two more m-lines the client receives other members' audio and video on. */
    private static String reoffer(String offer, String iceOverride) {
        String common = "c=IN IP4 0.0.0.0\r\na=rtcp-mux\r\n";
        String s = offer.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2 3")
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + common + "a=mid:2\r\na=recvonly\r\na=rtpmap:111 opus/48000/2\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" + common + "a=mid:3\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n";
        return iceOverride == null ? s : s.replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:" + iceOverride);
    }

    private static Map<String, Object> offer(String sdp, List<Map<String, String>> subscriptions) {
        return Map.of("type", "offer", "sdp", sdp, "subscriptions", subscriptions);
    }

    @Test
    void multistreamMembersRenegotiateOneMlinePerRemoteTrack() throws Exception {
        try (WsTestClient alice = new WsTestClient(web.port()); WsTestClient bob = new WsTestClient(web.port());
             WsTestClient carol = new WsTestClient(web.port()); WsTestClient old = new WsTestClient(web.port());
             JavaWebRtcPeer alicePeer = new JavaWebRtcPeer(); JavaWebRtcPeer bobPeer = new JavaWebRtcPeer();
             JavaWebRtcPeer carolPeer = new JavaWebRtcPeer(); JavaWebRtcPeer oldPeer = new JavaWebRtcPeer()) {
            Map<String, Object> aliceJoin = join("group", "alice", alicePeer.offer());
            aliceJoin.put("multistream", true);
            alice.send(aliceJoin);
            String answer = alice.next("joined").path("sdp").asText();
            // its own m-lines only carry what it publishes
            assertThat(answer).contains("a=recvonly").doesNotContain("a=sendrecv").doesNotContain("a=ssrc:");
            for (var who : List.of(Map.entry("bob", bob), Map.entry("carol", carol))) {
                Map<String, Object> j = join("group", who.getKey(), (who.getKey().equals("bob") ? bobPeer : carolPeer).offer());
                j.put("multistream", true);
                who.getValue().send(j);
                who.getValue().next("joined");
            }
            // a client without multistream cannot join a group
            old.send(join("group", "dave", oldPeer.offer()));
            assertThat(old.next("error").path("message").asText()).contains("dave joined without multistream");

            alice.send(offer(reoffer(alicePeer.offer(), null), List.of(
                    Map.of("mid", "2", "uid", "bob", "mediaType", "audio"),
                    Map.of("mid", "3", "uid", "carol", "mediaType", "video"))));
            JsonNode reply = alice.next("answer");
            String sdp = reply.path("sdp").asText();
            long bobAudio = reply.path("subscriptions").get(0).path("ssrc").asLong();
            assertThat(reply.path("subscriptions").get(0).path("uid").asText()).isEqualTo("bob");
            assertThat(sdp).contains("a=mid:2\r\na=sendonly").contains("a=msid:bob audio-2")
                    .contains("a=ssrc:" + bobAudio + " msid:bob audio-2").contains("a=msid:carol video-3")
                    .contains("a=group:BUNDLE 0 1 2 3").containsPattern("o=- \\d+ 3 IN");
            assertThat(rtc.channels().channel("group").orElseThrow().routeCount()).isEqualTo(2);

            // the m-line re-used for carol's audio gets a new SSRC (Chrome plays nothing on an m-line
            // that carries a new source under its old SSRC); an idle one is answered inactive
            alice.send(offer(reoffer(alicePeer.offer(), null), List.of(Map.of("mid", "2", "uid", "carol", "mediaType", "audio"))));
            JsonNode again = alice.next("answer");
            long carolAudio = again.path("subscriptions").get(0).path("ssrc").asLong();
            assertThat(carolAudio).isNotEqualTo(bobAudio);
            assertThat(again.path("sdp").asText()).contains("a=ssrc:" + carolAudio + " msid:carol audio-2");
            assertThat(again.path("sdp").asText()).contains("a=mid:3\r\na=inactive");

            // what does not fit is refused and the previous subscriptions stay
            alice.send(offer(reoffer(alicePeer.offer(), "newufrag"), List.of()));
            assertThat(alice.next("error").path("message").asText()).contains("ICE restarts are not supported");
            alice.send(offer(reoffer(alicePeer.offer(), null), List.of(Map.of("mid", "9", "uid", "bob", "mediaType", "audio"))));
            assertThat(alice.next("error").path("message").asText()).contains("no m-line 9");
            alice.send(offer(reoffer(alicePeer.offer(), null), List.of(Map.of("mid", "3", "uid", "bob", "mediaType", "audio"))));
            assertThat(alice.next("error").path("message").asText()).contains("cannot carry audio");
            assertThat(rtc.channels().channel("group").orElseThrow().routeCount()).isEqualTo(1);

            // renegotiation is for multistream joins only
            Map<String, Object> single = join("other", "erin", oldPeer.offer());
            old.send(single);
            old.next("joined");
            old.send(offer(reoffer(oldPeer.offer(), null), List.of()));
            assertThat(old.next("error").path("message").asText()).contains("multistream");
        }
    }

    @Test
    void joinPublishMuteLeaveAndTheThirdMemberIsRefused() throws Exception {
        try (WsTestClient alice = new WsTestClient(web.port()); WsTestClient bob = new WsTestClient(web.port());
             WsTestClient carol = new WsTestClient(web.port());
             JavaWebRtcPeer alicePeer = new JavaWebRtcPeer(); JavaWebRtcPeer bobPeer = new JavaWebRtcPeer();
             JavaWebRtcPeer carolPeer = new JavaWebRtcPeer()) {
            alice.send(join("room", "alice", alicePeer.offer()));
            JsonNode joined = alice.next("joined");
            assertThat(joined.path("users")).isEmpty();
            assertThat(alice.next("connection-state").path("state").asText()).isEqualTo("CONNECTING");
            alicePeer.connect(joined.path("sdp").asText());
            assertThat(alice.next("connection-state").path("state").asText()).isEqualTo("CONNECTED");
            alice.send(Map.of("type", "publish", "mediaType", "audio"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> rtc.channels().channel("room")
                    .flatMap(c -> c.member("alice")).map(m -> m.published(io.srproxy.media.MediaKind.AUDIO)).orElse(false));

            bob.send(join("room", "bob", bobPeer.offer()));
            JsonNode bobJoined = bob.next("joined");
            assertThat(bobJoined.path("users").get(0).path("uid").asText()).isEqualTo("alice");
            assertThat(bobJoined.path("users").get(0).path("audio").asBoolean()).isTrue();
            assertThat(bobJoined.path("users").get(0).path("video").asBoolean()).isFalse();
            assertThat(alice.next("user-joined").path("uid").asText()).isEqualTo("bob");

            bob.send(Map.of("type", "publish", "mediaType", "video"));
            JsonNode published = alice.next("user-published");
            assertThat(published.path("uid").asText()).isEqualTo("bob");
            assertThat(published.path("mediaType").asText()).isEqualTo("video");
            bob.send(Map.of("type", "mute", "mediaType", "video", "muted", true));
            assertThat(alice.next("user-mute").path("muted").asBoolean()).isTrue();
            bob.send(Map.of("type", "unpublish", "mediaType", "video"));
            assertThat(alice.next("user-unpublished").path("mediaType").asText()).isEqualTo("video");

            carol.send(join("room", "carol", carolPeer.offer()));
            JsonNode refused = carol.next("error");
            assertThat(refused.path("code").asText()).isEqualTo("channel-full");
            assertThat(refused.path("message").asText()).contains("joined without multistream");

            bob.send(Map.of("type", "leave"));
            bob.next("left");
            JsonNode left = alice.next("user-left");
            assertThat(left.path("uid").asText()).isEqualTo("bob");
            assertThat(left.path("reason").asText()).isEqualTo("leave");
            assertThat(rtc.channels().channel("room").orElseThrow().uids()).containsExactly("alice");
        }
    }

    @Test
    void aClosedSocketLeavesAndASilentPeerTimesOut() throws Exception {
        try (WsTestClient alice = new WsTestClient(web.port()); WsTestClient bob = new WsTestClient(web.port());
             WsTestClient carol = new WsTestClient(web.port());
             JavaWebRtcPeer alicePeer = new JavaWebRtcPeer(); JavaWebRtcPeer bobPeer = new JavaWebRtcPeer();
             JavaWebRtcPeer carolPeer = new JavaWebRtcPeer()) {
            alice.send(join("room", "alice", alicePeer.offer()));
            alicePeer.connect(alice.next("joined").path("sdp").asText());
            bob.send(join("room", "bob", bobPeer.offer()));
            bobPeer.connect(bob.next("joined").path("sdp").asText());
            alice.next("user-joined");
            bob.next("connection-state");
            assertThat(bob.next("connection-state").path("state").asText()).isEqualTo("CONNECTED");

            // 31 s pass; only alice's browser keeps sending consent checks
            clock.addAndGet(Duration.ofSeconds(31).toNanos());
            long checks = rtc.mux().counters().stunChecks.sum();
            alicePeer.sendConsent();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> rtc.mux().counters().stunChecks.sum() > checks);
            rtc.sweep();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(rtc.channels().channel("room").orElseThrow().uids()).containsExactly("alice"));
            JsonNode gone = alice.next("user-left");
            assertThat(gone.path("uid").asText()).isEqualTo("bob");
            assertThat(gone.path("reason").asText()).isEqualTo("timeout");
            JsonNode state = bob.next("connection-state");
            assertThat(state.path("state").asText()).isEqualTo("FAILED");
            assertThat(state.path("reason").asText()).isEqualTo("consent-timeout");

            carol.send(join("room", "carol", carolPeer.offer()));
            carol.next("joined");
            alice.next("user-joined");
            carol.close();
            JsonNode closed = alice.next("user-left");
            assertThat(closed.path("uid").asText()).isEqualTo("carol");
            assertThat(closed.path("reason").asText()).isEqualTo("closed");
        }
    }
}
