package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.rtc.RtpExtensions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The header extensions and simulcast of an answer: the audio level is answered with the offer's
 * id on lines we receive; a multistream publish video line with two rids is answered
 * {@code a=simulcast:recv} with {@code a=rid:... recv} and the rtp-stream-id extension; a 1:1
 * client's simulcast offer and lines we only send on get neither.
 */
class SdpSimulcastTest {

    private static final String OFFER = String.join("\r\n",
            "v=0", "o=- 46117 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2",
            "a=ice-ufrag:Ab1c", "a=ice-pwd:0123456789abcdefghijkl",
            "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
            "a=setup:actpass",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendonly", "a=rtcp-mux",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=rtpmap:111 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=mid:1", "a=sendonly", "a=rtcp-mux",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli",
            "a=rid:h send", "a=rid:l send", "a=simulcast:send h;l",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:2", "a=recvonly", "a=rtcp-mux",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=rtpmap:111 opus/48000/2", "");

    @Test
    void theOfferKeepsExtmapsAndSendRids() {
        SdpOffer offer = SdpOffer.parse(OFFER);
        assertThat(offer.media().get(0).extmapId(RtpExtensions.AUDIO_LEVEL_URI)).isEqualTo(1);
        assertThat(offer.media().get(1).extmapId(RtpExtensions.RID_URI)).isEqualTo(10);
        assertThat(offer.media().get(1).sendRids()).containsExactly("h", "l");
        assertThat(offer.media().get(0).sendRids()).isEmpty();
        // a paused layer (~) and a rid without its a=rid line are left out
        assertThat(SdpOffer.parse(OFFER.replace("a=simulcast:send h;l", "a=simulcast:send ~h;l;x"))
                .media().get(1).sendRids()).containsExactly("l");
    }

    @Test
    void aMultistreamPublisherGetsSimulcastAndTheAudioLevel() {
        SdpOffer offer = SdpOffer.parse(OFFER);
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiateMultistream(offer,
                Map.of("2", new SdpAnswer.Send(5555, "bob", "audio-2")));
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                "127.0.0.1", 6080, 1111, 2222, "srproxy"));
        String audio = section(answer, 0);
        String video = section(answer, 1);
        String toClient = section(answer, 2);
        assertThat(audio).contains("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n")
                .doesNotContain("abs-send-time");
        assertThat(video).contains("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n", "a=rid:h recv\r\n", "a=rid:l recv\r\n",
                "a=simulcast:recv h;l\r\n").doesNotContain("repaired"); // no RTX is negotiated
        assertThat(toClient).contains("a=sendonly").doesNotContain("extmap");
        assertThat(SdpAnswer.receivedExtensions(choices)).isEqualTo(new RtpExtensions(1, 10, List.of("h", "l")));
    }

    @Test
    void aOneToOneClientSendsOneEncodingAndOneRidIsNoSimulcast() {
        List<SdpAnswer.Choice> single = SdpAnswer.negotiate(SdpOffer.parse(OFFER));
        String answer = SdpAnswer.write(single, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                "127.0.0.1", 6080, 1111, 2222, "srproxy"));
        assertThat(answer).doesNotContain("a=simulcast", "a=rid").contains("ssrc-audio-level");
        assertThat(SdpAnswer.receivedExtensions(single).simulcast()).isFalse();
        List<SdpAnswer.Choice> oneRid = SdpAnswer.negotiateMultistream(SdpOffer.parse(
                OFFER.replace("a=simulcast:send h;l", "a=simulcast:send h")), Map.of());
        assertThat(SdpAnswer.receivedExtensions(oneRid)).isEqualTo(new RtpExtensions(1, 0, List.of()));
    }

    @Test
    void aClientMayMoveItsVideoToANewSimulcastLineAndBack() {
        // the join's plain video line 1 offered inactive, a later line 3 sends simulcast: line 3 publishes
        String moved = OFFER.replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 3")
                .replace("a=rid:h send\r\na=rid:l send\r\na=simulcast:send h;l\r\n", "")
                .replace("a=mid:1\r\na=sendonly", "a=mid:1\r\na=inactive")
                + String.join("\r\n", "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=mid:3", "a=sendonly",
                "a=rtcp-mux", "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "a=rtpmap:96 VP8/90000",
                "a=rid:h send", "a=rid:l send", "a=simulcast:send h;l", "");
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiateMultistream(SdpOffer.parse(moved),
                Map.of("2", new SdpAnswer.Send(5555, "bob", "audio-2")));
        assertThat(choices.get(1).direction()).isEqualTo("inactive");
        assertThat(choices.get(3).direction()).isEqualTo("recvonly");
        // the inactive line keeps the rid extension, so that the client may publish on it again
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                "127.0.0.1", 6080, 1111, 2222, "srproxy"));
        assertThat(section(answer, 1)).contains("a=inactive", "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")
                .doesNotContain("a=simulcast");
        assertThat(section(answer, 2)).doesNotContain("extmap"); // carries bob's audio
        assertThat(SdpAnswer.receivedExtensions(choices)).isEqualTo(new RtpExtensions(1, 10, List.of("h", "l")));
        // back on line 1 (line 3 inactive): one encoding, no simulcast
        String back = moved.replace("a=mid:1\r\na=inactive", "a=mid:1\r\na=sendonly")
                .replace("a=mid:3\r\na=sendonly", "a=mid:3\r\na=inactive");
        List<SdpAnswer.Choice> plain = SdpAnswer.negotiateMultistream(SdpOffer.parse(back), Map.of());
        assertThat(plain.get(1).direction()).isEqualTo("recvonly");
        assertThat(plain.get(3).direction()).isEqualTo("inactive");
        assertThat(SdpAnswer.receivedExtensions(plain).simulcast()).isFalse();
        // nothing sends video: the first free line stays the publish line, inactive
        String none = back.replace("a=mid:1\r\na=sendonly", "a=mid:1\r\na=inactive");
        assertThat(SdpAnswer.negotiateMultistream(SdpOffer.parse(none), Map.of()).get(1).direction()).isEqualTo("inactive");
    }

    /** The answer's m-section {@code i} (0-based). */
    private static String section(String sdp, int i) {
        String[] parts = sdp.split("(?=m=)");
        return parts[i + 1];
    }
}
