package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;

/**
 * Any datagram a peer sends after the DTLS handshake goes through SRTP/SRTCP unprotect: it returns
 * a length inside the packet or -1 with a reason, never throws. The first input byte picks the
 * implementation (ours or jitsi-srtp), the profile, and RTP or RTCP; the keys are RFC 3711's test
 * keys, so the seeds (RFC 3711 / libsrtp vectors) authenticate and reach the decrypting code.
 */
class SrtpUnprotectFuzzTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] SALT_14 = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    private static final byte[] SALT_12 = HEX.parseHex("0ec675ad498afeebb6960b3a");

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int mode = input[0] & 7;
        boolean rtcp = (mode & 1) != 0;
        boolean gcm = (mode & 2) != 0;
        boolean own = !gcm && (mode & 4) == 0;
        int len = input.length - 1;
        byte[] buf = new byte[len + SrtpSession.TRAILER_ROOM];
        System.arraycopy(input, 1, buf, 0, len);
        SrtpProfile profile = gcm ? SrtpProfile.AEAD_AES_128_GCM : SrtpProfile.AES128_CM_HMAC_SHA1_80;
        byte[] salt = gcm ? SALT_12 : SALT_14;
        SrtpKeys keys = new SrtpKeys(profile, KEY, salt, KEY, salt);
        try (SrtpSession session = new SrtpSession(keys, true, own)) {
            SrtpSession.Failure failure = new SrtpSession.Failure();
            int n = rtcp ? session.unprotectRtcp(buf, 0, len, failure) : session.unprotectRtp(buf, 0, len, failure);
            if (n < 0) {
                assertThat(n).isEqualTo(-1);
                assertThat(failure.last).isNotNull();
            } else {
                assertThat(n).isLessThanOrEqualTo(len);
            }
        }
    }
}
