package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.srproxy.media.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A SIP peer's SDP body through Sdp.parse and OfferAnswer, both as an offer and as an answer: the
 * only way out is an SdpException with a 400 or 488 status and a message; an answer we write for
 * a negotiated offer parses back to the same codecs, port and direction.
 */
class SipSdpFuzzTest {

    private static final OfferAnswer OFFER_ANSWER = OfferAnswer.fromConfig(List.of("opus", "PCMU", "PCMA"));

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        MediaDescription remote;
        try {
            remote = Sdp.parse(body);
        } catch (SdpException e) {
            assertRejection(e);
            return;
        }
        readAsAnswer(remote);
        NegotiatedMedia media;
        try {
            media = OFFER_ANSWER.negotiate(remote, MediaDirection.SENDRECV, true);
        } catch (SdpException e) {
            assertRejection(e);
            return;
        }
        List<PayloadFormat> codecs = OfferAnswer.answerCodecs(media);
        String answer = Sdp.write("127.0.0.1", 40000, codecs, media.ptime(), media.localDirection(), remote.rtcpMux(),
                1, 2);
        MediaDescription reread;
        try {
            reread = Sdp.parse(answer);
        } catch (SdpException e) {
            throw new AssertionError("our own answer does not parse: " + e.getMessage() + "\n" + answer, e);
        }
        assertThat(reread.codecs()).isEqualTo(codecs);
        assertThat(reread.rtp().getPort()).isEqualTo(40000);
        assertThat(reread.direction()).isEqualTo(media.localDirection());
    }

    private static void readAsAnswer(MediaDescription remote) {
        try {
            OFFER_ANSWER.negotiate(remote, MediaDirection.SENDRECV, false);
        } catch (SdpException e) {
            assertRejection(e);
        }
    }

    private static void assertRejection(SdpException e) {
        assertThat(e.status()).isIn(400, 488);
        assertThat(e.getMessage()).isNotBlank();
    }
}
