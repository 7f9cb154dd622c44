package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SRTP and SRTCP (AES128_CM_HMAC_SHA1_80) against the published known-answer vectors of libsrtp's
 * srtp_driver, which use RFC 3711 appendix B.3's master key and salt, for our own implementation
 * and for jitsi-srtp: each must produce
 * exactly the reference ciphertext (so key derivation, AES-CM and HMAC-SHA1 all match libsrtp,
 * the implementation inside Chromium), and read it back.
 */
class SrtpKnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    private static final byte[] RTP_PLAIN = HEX.parseHex("800f1234decafbadcafebabeabababababababababababababababab");
    private static final byte[] RTP_CIPHER = HEX.parseHex(
            "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
    private static final byte[] RTCP_PLAIN = HEX.parseHex("81c8000bcafebabeabababababababababababababababab");
    /** With SRTCP index 1: the second packet a fresh sender protects (it counts from 0). */
    private static final byte[] RTCP_CIPHER_INDEX_1 = HEX.parseHex(
            "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");

    private static SrtpSession session(boolean own) {
        return new SrtpSession(new SrtpKeys(SrtpProfile.AES128_CM_HMAC_SHA1_80,
                MASTER_KEY, MASTER_SALT, MASTER_KEY, MASTER_SALT), true, own);
    }

    @ParameterizedTest(name = "own implementation: {0}")
    @ValueSource(booleans = {true, false})
    void rtpMatchesTheReferenceCiphertextAndDecryptsBack(boolean own) {
        try (SrtpSession sender = session(own); SrtpSession receiver = session(own)) {
            byte[] buf = Arrays.copyOf(RTP_PLAIN, RTP_PLAIN.length + SrtpSession.TRAILER_ROOM);
            int len = sender.protectRtp(buf, 0, RTP_PLAIN.length);
            assertThat(Arrays.copyOf(buf, len)).isEqualTo(RTP_CIPHER);

            SrtpSession.Failure f = new SrtpSession.Failure();
            byte[] in = Arrays.copyOf(RTP_CIPHER, RTP_CIPHER.length + SrtpSession.TRAILER_ROOM);
            assertThat(receiver.unprotectRtp(in, 0, RTP_CIPHER.length, f)).isEqualTo(RTP_PLAIN.length);
            assertThat(Arrays.copyOf(in, RTP_PLAIN.length)).isEqualTo(RTP_PLAIN);
        }
    }

    @ParameterizedTest(name = "own implementation: {0}")
    @ValueSource(booleans = {true, false})
    void truncatedOrAlteredPacketsAreRejected(boolean own) {
        try (SrtpSession receiver = session(own)) {
            SrtpSession.Failure f = new SrtpSession.Failure();
            for (int len = RTP_CIPHER.length - 1; len > 0; len--) {
                byte[] in = Arrays.copyOf(Arrays.copyOf(RTP_CIPHER, len), len + SrtpSession.TRAILER_ROOM);
                assertThat(receiver.unprotectRtp(in, 0, len, f)).as("length %d", len).isEqualTo(-1);
            }
            byte[] altered = Arrays.copyOf(RTP_CIPHER, RTP_CIPHER.length + SrtpSession.TRAILER_ROOM);
            altered[14] ^= 0x40;
            assertThat(receiver.unprotectRtp(altered, 0, RTP_CIPHER.length, f)).isEqualTo(-1);
            assertThat(f.last).isEqualTo(SrtpErrorStatus.AUTH_FAIL);
        }
    }

    @ParameterizedTest(name = "own implementation: {0}")
    @ValueSource(booleans = {true, false})
    void srtcpMatchesTheReferenceCiphertextAndDecryptsBack(boolean own) {
        try (SrtpSession sender = session(own); SrtpSession receiver = session(own)) {
            byte[] buf = new byte[RTCP_PLAIN.length + SrtpSession.TRAILER_ROOM];
            System.arraycopy(RTCP_PLAIN, 0, buf, 0, RTCP_PLAIN.length);
            sender.protectRtcp(buf, 0, RTCP_PLAIN.length); // index 0
            System.arraycopy(RTCP_PLAIN, 0, buf, 0, RTCP_PLAIN.length);
            int len = sender.protectRtcp(buf, 0, RTCP_PLAIN.length); // index 1
            assertThat(Arrays.copyOf(buf, len)).isEqualTo(RTCP_CIPHER_INDEX_1);

            SrtpSession.Failure f = new SrtpSession.Failure();
            byte[] in = Arrays.copyOf(RTCP_CIPHER_INDEX_1, RTCP_CIPHER_INDEX_1.length + SrtpSession.TRAILER_ROOM);
            assertThat(receiver.unprotectRtcp(in, 0, RTCP_CIPHER_INDEX_1.length, f)).isEqualTo(RTCP_PLAIN.length);
            assertThat(Arrays.copyOf(in, RTCP_PLAIN.length)).isEqualTo(RTCP_PLAIN);
            // the same index again is a replay
            byte[] again = Arrays.copyOf(RTCP_CIPHER_INDEX_1, RTCP_CIPHER_INDEX_1.length + SrtpSession.TRAILER_ROOM);
            assertThat(receiver.unprotectRtcp(again, 0, RTCP_CIPHER_INDEX_1.length, f)).isEqualTo(-1);
        }
    }
}
