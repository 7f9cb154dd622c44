package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.PayloadFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfferAnswerTest {

    private static final String BARESIP_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1196384014 1810092473 IN IP4 127.0.0.1",
            "s=-",
            "c=IN IP4 127.0.0.1",
            "t=0 0",
            "m=audio 40018 RTP/AVP 0 8 101",
            "b=AS:64",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
            "a=sendrecv",
            "a=label:1",
            "a=ssrc:1558395925 cname:sip:1005@127.0.0.1",
            "a=rtcp-rsize",
            "a=ptime:20",
            "");

    private static final String OPUS_OFFER = String.join("\r\n",
            "v=0", "o=- 1 1 IN IP4 10.0.0.7", "s=-", "t=0 0",
            "m=audio 5004 RTP/AVP 96 97 0 98",
            "c=IN IP4 10.0.0.7",
            "a=rtpmap:96 opus/48000/2", "a=rtpmap:97 telephone-event/48000", "a=rtpmap:98 telephone-event/8000",
            "a=rtcp-mux", "a=rtcp:5005 IN IP4 10.0.0.8", "a=sendonly", "a=ptime:40", "");

    @Test
    void parsesAnOfferFromBaresip() throws SdpException {
        MediaDescription d = Sdp.parse(BARESIP_OFFER);
        assertThat(d.rtp().getPort()).isEqualTo(40018);
        assertThat(d.rtp().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(d.codecs()).extracting(PayloadFormat::name).containsExactly("PCMU", "PCMA", "telephone-event");
        assertThat(d.direction()).isEqualTo(MediaDirection.SENDRECV);
        assertThat(d.ptime()).isEqualTo(20);
        assertThat(d.rtcpMux()).isFalse();
    }

    @Test
    void answerFollowsOurPreferenceWithTheOffersPayloadTypes() throws SdpException {
        OfferAnswer oa = OfferAnswer.fromConfig(List.of("opus", "PCMU", "PCMA"));
        NegotiatedMedia m = oa.negotiate(Sdp.parse(OPUS_OFFER), MediaDirection.SENDRECV, true);
        assertThat(m.audio()).isEqualTo(new PayloadFormat(96, "opus", 48000, 2, ""));
        assertThat(m.telephoneEvent()).isEqualTo(new PayloadFormat(97, "telephone-event", 48000, 1, ""));
        assertThat(m.localDirection()).isEqualTo(MediaDirection.RECVONLY);
        assertThat(m.ptime()).isEqualTo(40);
        assertThat(m.remote().rtcpMux()).isTrue();
        assertThat(m.remote().rtcp().getPort()).isEqualTo(5005);

        NegotiatedMedia pcma = OfferAnswer.fromConfig(List.of("PCMA", "PCMU")).negotiate(Sdp.parse(BARESIP_OFFER),
                MediaDirection.SENDRECV, true);
        assertThat(pcma.audio().name()).isEqualTo("PCMA");
        assertThat(pcma.telephoneEvent().payloadType()).isEqualTo(101);

        // Opus beside only 8 kHz events (baresip's way): the 8 kHz events are taken
        NegotiatedMedia opus8k = oa.negotiate(Sdp.parse(OPUS_OFFER.replace("a=rtpmap:97 telephone-event/48000", "a=rtpmap:97 foo/48000")),
                MediaDirection.SENDRECV, true);
        assertThat(opus8k.telephoneEvent()).isEqualTo(new PayloadFormat(98, "telephone-event", 8000, 1, ""));
    }

    @Test
    void aHostNameAsConnectionAddressIsRefusedWithoutALookup() throws Exception {
        assertThatThrownBy(() -> Sdp.parse(BARESIP_OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP4 media.invalid")))
                .isInstanceOf(SdpException.class).hasMessageContaining("not an IP address: media.invalid")
                .satisfies(e -> assertThat(((SdpException) e).status()).isEqualTo(488));
        assertThat(Sdp.parse(BARESIP_OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP6 ::1")).rtp().getAddress()
                .isLoopbackAddress()).isTrue();
    }

    @Test
    void noCommonCodecIs488() {
        String g729 = BARESIP_OFFER.replace("m=audio 40018 RTP/AVP 0 8 101", "m=audio 40018 RTP/AVP 18")
                .replace("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:18 G729/8000\r\n");
        OfferAnswer oa = OfferAnswer.fromConfig(List.of("PCMU"));
        assertThatThrownBy(() -> oa.negotiate(Sdp.parse(g729), MediaDirection.SENDRECV, true))
                .isInstanceOf(SdpException.class)
                .hasMessageContaining("no common codec").hasMessageContaining("G729")
                .satisfies(e -> assertThat(((SdpException) e).status()).isEqualTo(488));
    }

    @Test
    void badSdpIs400AndNoAudioIs488() {
        assertThatThrownBy(() -> Sdp.parse("this is not sdp")).isInstanceOf(SdpException.class)
                .satisfies(e -> assertThat(((SdpException) e).status()).isEqualTo(400));
        String video = BARESIP_OFFER.replace("m=audio", "m=video");
        assertThatThrownBy(() -> Sdp.parse(video)).isInstanceOf(SdpException.class)
                .satisfies(e -> assertThat(((SdpException) e).status()).isEqualTo(488));
    }

    @Test
    void ourOfferRoundTripsThroughTheParser() throws SdpException {
        OfferAnswer oa = OfferAnswer.fromConfig(List.of("opus", "PCMU", "PCMA"));
        String sdp = Sdp.write("203.0.113.10", 16384, oa.offerCodecs(), 20, MediaDirection.SENDRECV, false, 7, 1);
        assertThat(sdp).contains("c=IN IP4 203.0.113.10", "m=audio 16384 RTP/AVP 111 0 8 101 102",
                "a=rtpmap:111 opus/48000/2", "a=rtpmap:102 telephone-event/48000", "a=ptime:20", "a=sendrecv");
        MediaDescription d = Sdp.parse(sdp);
        assertThat(d.codecs()).containsExactlyElementsOf(oa.offerCodecs());
    }

    @Test
    void oldStyleHoldAddressCountsAsInactive() throws SdpException {
        MediaDescription d = Sdp.parse(BARESIP_OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0"));
        assertThat(d.holdAddress()).isTrue();
        assertThat(d.effectiveDirection()).isEqualTo(MediaDirection.INACTIVE);
    }

    @Test
    void directionAnswers() {
        assertThat(MediaDirection.SENDONLY.answerTo(MediaDirection.SENDRECV)).isEqualTo(MediaDirection.RECVONLY);
        assertThat(MediaDirection.RECVONLY.answerTo(MediaDirection.SENDRECV)).isEqualTo(MediaDirection.SENDONLY);
        assertThat(MediaDirection.INACTIVE.answerTo(MediaDirection.SENDRECV)).isEqualTo(MediaDirection.INACTIVE);
        assertThat(MediaDirection.SENDRECV.answerTo(MediaDirection.SENDONLY)).isEqualTo(MediaDirection.SENDONLY);
        assertThat(MediaDirection.SENDONLY.answerTo(MediaDirection.SENDONLY)).isEqualTo(MediaDirection.INACTIVE);
    }

    @Test
    void unknownConfiguredCodecIsNamed() {
        assertThatThrownBy(() -> OfferAnswer.fromConfig(List.of("PCMU", "G729")))
                .hasMessageContaining("'G729'");
    }

    /** baresip with its g722 module first: G722/8000 (16 kHz audio on an 8000 RTP clock). */
    private static final String G722_OFFER = BARESIP_OFFER.replace("m=audio 40018 RTP/AVP 0 8 101", "m=audio 40018 RTP/AVP 9 0 8 101")
            .replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000");

    @Test
    void g722IsAnsweredWhenConfiguredWithItsEightThousandClockAndEightKilohertzEvents() throws SdpException {
        NegotiatedMedia m = OfferAnswer.fromConfig(List.of("G722", "PCMU", "PCMA"))
                .negotiate(Sdp.parse(G722_OFFER), MediaDirection.SENDRECV, true);
        assertThat(m.audio()).isEqualTo(PayloadFormat.G722);
        assertThat(m.telephoneEvent().clockRate()).isEqualTo(8000);
        assertThat(Sdp.write("127.0.0.1", 16384, OfferAnswer.answerCodecs(m), 20, MediaDirection.SENDRECV, false, 7, 1))
                .contains("m=audio 16384 RTP/AVP 9 101", "a=rtpmap:9 G722/8000");
        // not configured: the next preference
        assertThat(OfferAnswer.fromConfig(List.of("opus", "PCMU", "PCMA")).negotiate(Sdp.parse(G722_OFFER),
                MediaDirection.SENDRECV, true).audio()).isEqualTo(PayloadFormat.PCMU);
        // static payload type 9 without an rtpmap is G.722 too
        assertThat(Sdp.parse(G722_OFFER.replace("a=rtpmap:9 G722/8000\r\n", "")).codecs().get(0)).isEqualTo(PayloadFormat.G722);
    }

    @Test
    void g722IsNeverOfferedNorTakenFromAnAnswerWeDidNotOfferItIn() throws SdpException {
        OfferAnswer oa = OfferAnswer.fromConfig(List.of("G722", "PCMU"));
        assertThat(oa.offerCodecs()).doesNotContain(PayloadFormat.G722).startsWith(PayloadFormat.PCMU);
        assertThat(OfferAnswer.fromConfig(List.of("G722")).offerCodecs()).startsWith(PayloadFormat.PCMU);
        assertThat(oa.negotiate(Sdp.parse(G722_OFFER), MediaDirection.SENDRECV, false).audio()).isEqualTo(PayloadFormat.PCMU);
    }

    /** A conference leg: the configured codecs narrowed to G.711, in their order; 488 naming both sides when the offer has none. */
    @Test
    void narrowedToG711AnswersG711AndRefusesAnOfferWithout() throws SdpException {
        List<PayloadFormat> g711 = List.of(PayloadFormat.PCMU, PayloadFormat.PCMA);
        OfferAnswer conf = OfferAnswer.fromConfig(List.of("G722", "opus", "PCMA", "PCMU")).narrowedTo(g711);
        assertThat(conf.preference()).containsExactly(PayloadFormat.PCMA, PayloadFormat.PCMU);
        assertThat(conf.negotiate(Sdp.parse(G722_OFFER), MediaDirection.SENDRECV, true).audio()).isEqualTo(PayloadFormat.PCMA);
        assertThat(conf.offerCodecs()).containsExactly(PayloadFormat.PCMA, PayloadFormat.PCMU, PayloadFormat.TELEPHONE_EVENT_8K);
        // no G.711 configured: both, PCMU first
        assertThat(OfferAnswer.fromConfig(List.of("opus", "G722")).narrowedTo(g711).preference()).containsExactly(PayloadFormat.PCMU, PayloadFormat.PCMA);
        String g722Only = G722_OFFER.replace("RTP/AVP 9 0 8 101", "RTP/AVP 9 101")
                .replace("a=rtpmap:0 PCMU/8000\r\n", "").replace("a=rtpmap:8 PCMA/8000\r\n", "");
        assertThatThrownBy(() -> conf.negotiate(Sdp.parse(g722Only), MediaDirection.SENDRECV, true))
                .isInstanceOfSatisfying(SdpException.class, e -> assertThat(e.status()).isEqualTo(488))
                .hasMessageContaining("G722/8000").hasMessageContaining("PCMA/8000");
    }

    @Test
    void aReInviteKeepsTheCodecInUseWhenStillOffered() throws SdpException {
        OfferAnswer oa = OfferAnswer.fromConfig(List.of("opus", "PCMU", "PCMA"));
        MediaDescription offer = Sdp.parse(OPUS_OFFER);
        assertThat(oa.negotiate(offer, MediaDirection.SENDRECV, true).audio().name()).isEqualTo("opus");
        assertThat(oa.renegotiate(offer, MediaDirection.SENDRECV, PayloadFormat.PCMU).audio()).isEqualTo(PayloadFormat.PCMU);
        assertThat(oa.renegotiate(offer, MediaDirection.SENDRECV, PayloadFormat.PCMA).audio().name()).as("gone: preference").isEqualTo("opus");
    }
}
