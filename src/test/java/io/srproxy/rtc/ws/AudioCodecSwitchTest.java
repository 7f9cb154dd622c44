package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.CapturingTransport;
import io.srproxy.rtc.Channel;
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

/**
 * app -> SIP passthrough (docs/protocol.md, "Audio codec switch"): a client that joined with Opus
 * and {@code codecSwitch} is asked to re-offer when a PCMU member joins, and its answer moves it
 * to PCMU, so the channel forwards instead of transcoding; a client without it keeps Opus.
 */
class AudioCodecSwitchTest {

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

    private static Map<String, Object> join(String channel, String uid, String sdp, boolean multistream, boolean codecSwitch) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "join");
        m.put("appId", "app1");
        m.put("channel", channel);
        m.put("uid", uid);
        m.put("token", "");
        m.put("sdp", sdp);
        m.put("multistream", multistream);
        if (codecSwitch) {
            m.put("codecSwitch", true);
        }
        return m;
    }

    /** The peer's offer (Opus, then PCMU) with Opus alone: a client that cannot take PCMU. */
    private static String opusOnly(String offer) {
        return offer.replace("SAVPF 111 0\r\n", "SAVPF 111\r\n").replace("a=rtpmap:0 PCMU/8000\r\n", "");
    }

    private void phoneJoins(String channel) {
        rtc.channels().join(channel, "sip~1005", new CapturingTransport(4242, PayloadFormat.PCMU), e -> { });
        rtc.channels().channel(channel).orElseThrow().publish("sip~1005", MediaKind.AUDIO, true);
    }

    @Test
    void singleStreamClientSwitchesToThePhonesPcmuAndTheChannelForwards() throws Exception {
        try (WsTestClient app = new WsTestClient(web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            app.send(join("call1", "ann", peer.offer(), false, true));
            assertThat(app.next("joined").path("sdp").asText()).contains("a=rtpmap:111 opus/48000/2").doesNotContain("PCMU");
            phoneJoins("call1");
            Channel ch = rtc.channels().channel("call1").orElseThrow();
            assertThat(ch.transcoding()).as("Opus against PCMU, before the switch").isTrue();
            assertThat(app.next("renegotiate").path("audioCodec").asText()).isEqualTo("PCMU");

            app.send(Map.of("type", "offer", "sdp", peer.offer()));
            JsonNode answer = app.next("answer");
            assertThat(answer.path("sdp").asText()).containsPattern("m=audio \\d+ UDP/TLS/RTP/SAVPF 0\r\n").contains("a=rtpmap:0 PCMU/8000")
                    .contains("a=sendrecv").contains("m=video");
            assertThat(ch.transcoding()).isFalse();
            assertThat(ch.passthrough()).isTrue();
            assertThat(rtc.channels().passthrough()).isEqualTo(1);
        }
    }

    @Test
    void multistreamClientSwitchesWithItsSubscriptionOffer() throws Exception {
        try (WsTestClient app = new WsTestClient(web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            app.send(join("call2", "ann", peer.offer(), true, true));
            app.next("joined");
            phoneJoins("call2");
            assertThat(app.next("renegotiate").path("audioCodec").asText()).isEqualTo("PCMU");
            String reoffer = peer.offer().replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
                    + "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp-mux\r\na=mid:2\r\na=recvonly\r\n"
                    + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n";
            app.send(Map.of("type", "offer", "sdp", reoffer,
                    "subscriptions", List.of(Map.of("mid", "2", "uid", "sip~1005", "mediaType", "audio"))));
            JsonNode answer = app.next("answer");
            assertThat(answer.path("sdp").asText()).contains("a=mid:2\r\na=sendonly").doesNotContain("opus");
            Channel ch = rtc.channels().channel("call2").orElseThrow();
            assertThat(ch.transcoding()).isFalse();
            assertThat(ch.passthrough()).isTrue();
        }
    }

    @Test
    void clientsWithoutCodecSwitchOrWithoutPcmuKeepOpusAndAreTranscoded() throws Exception {
        try (WsTestClient old = new WsTestClient(web.port()); WsTestClient opus = new WsTestClient(web.port());
             JavaWebRtcPeer oldPeer = new JavaWebRtcPeer(); JavaWebRtcPeer opusPeer = new JavaWebRtcPeer()) {
            old.send(join("call3", "ann", oldPeer.offer(), false, false));
            old.next("joined");
            opus.send(join("call4", "bob", opusOnly(opusPeer.offer()), false, true));
            opus.next("joined");
            phoneJoins("call3");
            phoneJoins("call4");
            old.next("user-published");
            opus.next("user-published");
            // an old single-stream client may not re-offer at all
            old.send(Map.of("type", "offer", "sdp", oldPeer.offer()));
            assertThat(old.next("error").path("message").asText()).contains("codecSwitch");
            // one that did not offer PCMU is never asked, and a re-offer leaves it on Opus
            opus.send(Map.of("type", "offer", "sdp", opusOnly(opusPeer.offer())));
            assertThat(opus.next("answer").path("sdp").asText()).contains("opus/48000/2");
            assertThat(old.received).noneMatch(m -> m.path("type").asText().equals("renegotiate"));
            assertThat(opus.received).noneMatch(m -> m.path("type").asText().equals("renegotiate"));
            assertThat(rtc.channels().channel("call3").orElseThrow().transcoding()).isTrue();
            assertThat(rtc.channels().channel("call4").orElseThrow().transcoding()).isTrue();
        }
    }
}
