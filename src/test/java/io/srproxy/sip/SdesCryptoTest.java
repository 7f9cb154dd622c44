package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.PayloadFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdesCryptoTest {

    private static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"; // RFC 4568's example

    @Test
    void takesTheFirstAes128Sha1_80LineWithoutMkiOrSessionParameters() {
        SdesCrypto c = SdesCrypto.firstUsable(List.of(
                "1 AES_CM_128_HMAC_SHA1_32 inline:" + KEY,
                "2 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4",
                "3 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + " UNENCRYPTED_SRTP",
                "4 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20"));
        assertThat(c).isNotNull();
        assertThat(c.tag()).isEqualTo(4);
        assertThat(c.keySalt()).hasSize(30);
    }

    @Test
    void refusesMalformedKeys() {
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:!!!")).isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA")).isNull();
        assertThat(SdesCrypto.parse("x AES_CM_128_HMAC_SHA1_80 inline:" + KEY)).isNull();
        assertThat(SdesCrypto.parse("")).isNull();
    }

    @Test
    void ourKeyRoundTripsThroughSdp() throws Exception {
        SdesCrypto ours = SdesCrypto.generate(7);
        String sdp = Sdp.write("127.0.0.1", 16384, List.of(PayloadFormat.PCMU), 20, MediaDirection.SENDRECV, false, 1, 1,
                "RTP/SAVP", ours.attribute());
        MediaDescription m = Sdp.parse(sdp);
        assertThat(m.protocol()).isEqualTo("RTP/SAVP");
        assertThat(m.secureProfile()).isTrue();
        SdesCrypto back = SdesCrypto.firstUsable(m.crypto());
        assertThat(back.tag()).isEqualTo(7);
        assertThat(back.keySalt()).isEqualTo(ours.keySalt());
    }
}
