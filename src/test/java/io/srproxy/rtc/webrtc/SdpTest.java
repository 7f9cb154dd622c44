package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.MediaKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Offer parsing and answer writing, on an offer shaped like Chromium's (with a data channel). */
class SdpTest {

    private static final String OFFER = String.join("\r\n",
            "v=0", "o=- 46117 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0 8 110 126", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Ab1c", "a=ice-pwd:0123456789abcdefghijkl",
            "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
            "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:63 red/48000/2",
            "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:110 telephone-event/48000",
            "a=rtpmap:126 telephone-event/8000",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103", "c=IN IP4 0.0.0.0", "a=mid:1", "a=sendonly", "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=rtpmap:102 H264/90000", "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
            "a=rtpmap:103 H264/90000", "a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2", "a=sctp-port:5000", "");

    @Test
    void firefoxsBundleOnlyVideoLineWithPortZeroIsAnsweredNotRejected() throws Exception {
        // a real offer of Firefox ESR 153 (max-bundle): m=video 0 ... a=bundle-only
        String firefox = new String(SdpTest.class.getResourceAsStream("firefox-153-offer.sdp").readAllBytes(),
                java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(firefox).contains("m=video 0 UDP/TLS/RTP/SAVPF 120\r\n", "a=bundle-only\r\n");
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiate(SdpOffer.parse(firefox));
        assertThat(choices.get(0).codecs()).extracting(c -> c.name() + "/" + c.payloadType()).startsWith("opus/109");
        assertThat(choices.get(1).accepted()).isTrue();
        assertThat(choices.get(1).codecs()).extracting(c -> c.name() + "/" + c.payloadType()).containsExactly("VP8/120");
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                "127.0.0.1", 6080, 1111, 2222, "srproxy"));
        assertThat(answer).contains("a=group:BUNDLE 0 1\r\n", "m=video 6080 UDP/TLS/RTP/SAVPF 120\r\n");
    }

    @Test
    void chromeLikeOfferIsNegotiatedAndAnswered() {
        SdpOffer offer = SdpOffer.parse(OFFER);
        assertThat(offer.iceUfrag()).isEqualTo("Ab1c");
        assertThat(offer.fingerprintSha256()).startsWith("AA:BB");
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiate(offer);
        assertThat(choices.get(0).kind()).isEqualTo(MediaKind.AUDIO);
        assertThat(choices.get(0).codecs()).extracting(c -> c.name() + "/" + c.payloadType()).containsExactly(
                "opus/111", "telephone-event/110"); // DTMF: Chromium needs the 48 kHz one alone with Opus
        assertThat(SdpAnswer.negotiate(SdpOffer.parse(OFFER.replace("110 telephone-event/48000", "110 foo/48000")))
                .get(0).codecs()).extracting(c -> c.name() + "/" + c.clockRate()).containsExactly("opus/48000", "telephone-event/8000");
        assertThat(choices.get(1).codecs()).extracting(c -> c.name() + "/" + c.payloadType()).containsExactly("VP8/96", "H264/103");
        assertThat(choices.get(2).accepted()).isFalse();

        String answer = SdpAnswer.write(choices, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                "127.0.0.1", 6080, 1111, 2222, "srproxy"));
        assertThat(answer).contains("a=ice-lite\r\n", "a=group:BUNDLE 0 1\r\n", "a=setup:passive\r\n",
                "a=candidate:1 1 udp 2130706431 127.0.0.1 6080 typ host\r\n", "a=fingerprint:sha-256 11:22\r\n",
                "m=audio 6080 UDP/TLS/RTP/SAVPF 111 110\r\n", "a=rtpmap:110 telephone-event/48000\r\n", "m=video 6080 UDP/TLS/RTP/SAVPF 96 103\r\n",
                "a=recvonly\r\n", "a=rtcp-fb:103 ccm fir\r\n", "a=ssrc:1111 cname:srproxy\r\n", "a=ssrc:2222 cname:srproxy\r\n",
                "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n");
    }

    @Test
    void anIpv6AddressIsWrittenAsIp6AndASecondFamilyAddsACandidate() {
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiate(SdpOffer.parse(OFFER));
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22",
                List.of("::1", "127.0.0.1"), 6080, 1111, 2222, "srproxy"));
        assertThat(answer).contains("c=IN IP6 ::1\r\n", "a=rtcp:6080 IN IP6 ::1\r\n",
                "a=candidate:1 1 udp 2130706431 ::1 6080 typ host\r\n",
                "a=candidate:2 1 udp 2130706175 127.0.0.1 6080 typ host\r\n");
        assertThat(answer).doesNotContain("IN IP4 ::1");
        assertThat(answer.lines().filter(l -> l.startsWith("o=")).findFirst().orElseThrow()).endsWith(" IN IP6 ::1");
    }

    @Test
    void brokenOffersAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> SdpOffer.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SdpOffer.parse(OFFER.replace("a=ice-pwd:0123456789abcdefghijkl\r\n", "")))
                .hasMessageContaining("ice-ufrag/a=ice-pwd");
        assertThatThrownBy(() -> SdpOffer.parse(OFFER.replaceAll("a=fingerprint:[^\r]*\r\n", "")))
                .hasMessageContaining("fingerprint");
        assertThatThrownBy(() -> SdpOffer.parse(OFFER.replace("a=rtpmap:111 opus", "a=rtpmap:x opus")))
                .hasMessageContaining("payload type 'x'");
        assertThatThrownBy(() -> SdpAnswer.negotiate(SdpOffer.parse(OFFER.replace("a=rtcp-mux\r\n", ""))))
                .hasMessageContaining("rtcp-mux");
        String noCodecs = OFFER.replace("opus/48000", "foo/48000").replace("VP8/90000", "VP9/90000")
                .replace("H264/90000", "AV1/90000");
        assertThatThrownBy(() -> SdpAnswer.negotiate(SdpOffer.parse(noCodecs))).hasMessageContaining("no audio with Opus");
    }
}
