package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.PassthroughPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The browser leg's audio codec: Opus, or the SIP leg's G.711/G.722 for passthrough. */
class SdpCodecChoiceTest {

    /** Chromium's audio m-line (with G722, which Chromium offers too). */
    private static final String OFFER = String.join("\r\n",
            "v=0", "o=- 46117 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:Ab1c", "a=ice-pwd:0123456789abcdefghijkl",
            "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
            "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:63 red/48000/2",
            "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:13 CN/8000",
            "a=rtpmap:110 telephone-event/48000", "a=rtpmap:126 telephone-event/8000", "");

    private static List<String> audio(String offer, List<PayloadFormat> match) {
        return SdpAnswer.negotiate(SdpOffer.parse(offer), match).get(0).codecs().stream()
                .map(c -> c.name() + "/" + c.clockRate() + "/" + c.payloadType()).toList();
    }

    @Test
    void nothingToMatchTakesOpusAndItsFortyEightKilohertzEvents() {
        assertThat(audio(OFFER, List.of())).containsExactly("opus/48000/111", "telephone-event/48000/110");
    }

    @Test
    void aPcmuLegGetsPcmuWithEightKilohertzEventsAlone() {
        assertThat(audio(OFFER, List.of(PayloadFormat.PCMU))).containsExactly("PCMU/8000/0", "telephone-event/8000/126");
        assertThat(audio(OFFER, List.of(PayloadFormat.PCMA))).containsExactly("PCMA/8000/8", "telephone-event/8000/126");
    }

    @Test
    void g722KeepsItsEightThousandRtpClockAndTheOffersPayloadType() {
        List<PayloadFormat> match = List.of(new PayloadFormat(9, "G722", 8000, 1, ""));
        assertThat(audio(OFFER.replace(" 9 0 8 ", " 109 0 8 ").replace("rtpmap:9 G722", "rtpmap:109 G722"), match))
                .containsExactly("G722/8000/109", "telephone-event/8000/126");
        String answer = SdpAnswer.write(SdpAnswer.negotiate(SdpOffer.parse(OFFER), match),
                new SdpAnswer.Local("uf12", "pw0123456789012345678901", "11:22", "127.0.0.1", 6080, 1, 2, "srproxy"));
        assertThat(answer).contains("m=audio 6080 UDP/TLS/RTP/SAVPF 9 126\r\n", "a=rtpmap:9 G722/8000\r\n",
                "a=rtpmap:126 telephone-event/8000\r\n");
    }

    @Test
    void aFormatTheBrowserLacksFallsBackToOpus() {
        String noG711 = OFFER.replace(" 9 0 8 13 ", " 13 ").replace("a=rtpmap:9 G722/8000\r\n", "")
                .replace("a=rtpmap:0 PCMU/8000\r\n", "").replace("a=rtpmap:8 PCMA/8000\r\n", "");
        assertThat(audio(noG711, List.of(PayloadFormat.PCMU))).containsExactly("opus/48000/111", "telephone-event/48000/110");
        // a clock rate that differs is another format
        assertThat(audio(OFFER, List.of(new PayloadFormat(0, "PCMU", 16000, 1, "")))).first().isEqualTo("opus/48000/111");
    }

    @Test
    void theFirstWantedFormatTheOfferHasWins() {
        assertThat(audio(OFFER, List.of(new PayloadFormat(96, "AMR", 8000, 1, ""), PayloadFormat.PCMA, PayloadFormat.PCMU)))
                .first().isEqualTo("PCMA/8000/8");
    }

    @Test
    void policyAllowsOnlyConfiguredG711AndG722() {
        PassthroughPolicy prefer = PassthroughPolicy.of(true, List.of("opus", "PCMU", "G722"));
        assertThat(prefer.allows(PayloadFormat.PCMU)).isTrue();
        assertThat(prefer.allows(PayloadFormat.G722)).isTrue();
        assertThat(prefer.allows(PayloadFormat.PCMA)).as("not configured").isFalse();
        assertThat(prefer.allows(PayloadFormat.opus(111))).as("Opus forwards anyway").isFalse();
        assertThat(PassthroughPolicy.of(false, List.of("PCMU")).allows(PayloadFormat.PCMU)).isFalse();
    }
}
