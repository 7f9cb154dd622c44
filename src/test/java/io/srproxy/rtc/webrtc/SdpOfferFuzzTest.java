package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.srproxy.rtc.RtcException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A browser's offer (the /rtc join's sdp) through SdpOffer.parse and SdpAnswer: the only way out
 * is an RtcException "bad-sdp" with a message; the answer we write has exactly one m-line per
 * offered m-line (nothing from the offer may break a line of it).
 */
class SdpOfferFuzzTest {

    private static final SdpAnswer.Local LOCAL = new SdpAnswer.Local("ufrag", "pwd-pwd-pwd-pwd-pwd-pwd",
            "AA:BB", "127.0.0.1", 40000, 1, 2, "cname");

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String sdp = new String(input, StandardCharsets.UTF_8);
        SdpOffer offer;
        try {
            offer = SdpOffer.parse(sdp);
        } catch (RtcException e) {
            assertThat(e.code()).isEqualTo("bad-sdp");
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(offer.media()).isNotEmpty();
        List<SdpAnswer.Choice> choices;
        try {
            choices = SdpAnswer.negotiate(offer);
        } catch (RtcException e) {
            assertThat(e.code()).isEqualTo("bad-sdp");
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(choices).hasSameSizeAs(offer.media());
        String answer = SdpAnswer.write(choices, LOCAL);
        assertThat(answer.lines().filter(l -> l.startsWith("m=")).count()).isEqualTo(offer.media().size());
    }
}
