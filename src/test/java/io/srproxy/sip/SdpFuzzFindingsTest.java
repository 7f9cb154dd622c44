package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Inputs SipSdpFuzzTest found that once went wrong; each must now get a clear 400. */
class SdpFuzzFindingsTest {

    @Test
    void anRtpmapWithZeroChannelsIsRefusedRatherThanAnsweredAsAnotherFormat() {
        // opus/48000/0 used to be accepted and answered as opus/48000, i.e. one channel
        String offer = String.join("\r\n", "v=0", "o=- 1 1 IN IP4 10.0.0.7", "s=-", "c=IN IP4 10.0.0.7", "t=0 0",
                "m=audio 5004 RTP/AVP 96", "a=rtpmap:96 opus/48000/0", "");
        assertThatThrownBy(() -> Sdp.parse(offer))
                .isInstanceOfSatisfying(SdpException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("a=rtpmap:96 opus/48000/0")
                .hasMessageContaining("at least 1");
    }
}
