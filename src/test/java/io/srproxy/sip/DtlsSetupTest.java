package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.PayloadFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DTLS-SRTP's offer/answer: a=setup roles (RFC 4145/5763) and a=fingerprint (RFC 8122), from and into SDP. */
class DtlsSetupTest {

    private static final String FP = "SHA-256 E4:1A:BA:96:99:67:0F:2C:D6:EC:D7:A1:51:D8:98:95:BE:32:80:AB:F0:89:A5:CB:F6:27:0C:84:ED:F7:46:0D";

    /** What baresip 1.0's dtls_srtp offers (captured): setup and fingerprint at session level, SAVPF, no rtcp-mux. */
    private static final String BARESIP_OFFER = String.join("\r\n",
            "v=0", "o=- 2350716069 877973454 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "a=tool:baresip 1.0.0", "a=setup:actpass", "a=fingerprint:" + FP,
            "m=audio 47280 UDP/TLS/RTP/SAVPF 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=sendrecv", "a=rtcp-rsize", "a=ptime:20", "");

    private static MediaDescription offer(String proto, String setup, String fingerprint) throws SdpException {
        return Sdp.parse(String.join("\r\n", "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                "m=audio 4000 " + proto + " 0", "a=rtpmap:0 PCMU/8000",
                setup == null ? "a=sendrecv" : "a=setup:" + setup,
                fingerprint == null ? "a=sendrecv" : "a=fingerprint:" + fingerprint, ""));
    }

    @Test
    void baresipsOfferIsReadAtSessionLevelAndAnsweredPassive() throws Exception {
        MediaDescription m = Sdp.parse(BARESIP_OFFER);
        assertThat(m.dtlsProfile()).isTrue();
        assertThat(DtlsSetup.wanted(m)).isTrue();
        assertThat(m.fingerprint()).isEqualTo(FP);
        DtlsSetup s = DtlsSetup.answering(m);
        assertThat(s.weAreClient()).isFalse();
        assertThat(s.ourSetup()).isEqualTo("passive");
        assertThat(s.peerFingerprint()).isEqualTo("sha-256 " + FP.substring(8));
    }

    @Test
    void theAnswerersRoleFollowsTheOffersSetup() throws Exception {
        assertThat(DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "active", FP))).extracting(DtlsSetup::weAreClient, DtlsSetup::ourSetup)
                .containsExactly(false, "passive");
        assertThat(DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", null, FP))).extracting(DtlsSetup::weAreClient, DtlsSetup::ourSetup)
                .as("RFC 4145: no a=setup means active").containsExactly(false, "passive");
        assertThat(DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "PASSIVE", FP))).extracting(DtlsSetup::weAreClient, DtlsSetup::ourSetup)
                .containsExactly(true, "active");
        assertThatThrownBy(() -> DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "holdconn", FP)))
                .isInstanceOf(SdpException.class).hasMessageContaining("a=setup:holdconn");
    }

    @Test
    void theAnswerToOurActpassOfferPicksOurRole() throws Exception {
        assertThat(DtlsSetup.answered(offer("UDP/TLS/RTP/SAVP", "active", FP)).weAreClient()).isFalse();
        assertThat(DtlsSetup.answered(offer("UDP/TLS/RTP/SAVP", "passive", FP)).weAreClient()).isTrue();
        assertThatThrownBy(() -> DtlsSetup.answered(offer("UDP/TLS/RTP/SAVP", "actpass", FP)))
                .isInstanceOf(SdpException.class).hasMessageContaining("must say active or passive");
    }

    @Test
    void aReOfferWithActpassAndTheSameFingerprintKeepsTheRolesAnotherFingerprintStartsOver() throws Exception {
        DtlsSetup weConnected = DtlsSetup.answered(offer("UDP/TLS/RTP/SAVP", "passive", FP));
        DtlsSetup kept = DtlsSetup.reanswering(offer("UDP/TLS/RTP/SAVP", "actpass", FP), weConnected);
        assertThat(kept).extracting(DtlsSetup::weAreClient, DtlsSetup::ourSetup).containsExactly(true, "active");
        String other = "sha-256 " + "01:".repeat(31) + "01";
        assertThat(DtlsSetup.reanswering(offer("UDP/TLS/RTP/SAVP", "actpass", other), weConnected))
                .extracting(DtlsSetup::weAreClient, DtlsSetup::ourSetup).containsExactly(false, "passive");
    }

    @Test
    void aFingerprintIsRequiredAndMustBeOneWeCanCheck() throws Exception {
        assertThatThrownBy(() -> DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "actpass", null)))
                .isInstanceOf(SdpException.class).hasMessageContaining("without a=fingerprint")
                .extracting(e -> ((SdpException) e).status()).isEqualTo(488);
        assertThatThrownBy(() -> DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "actpass", "md5 AB:CD:" + "EF:".repeat(17) + "01")))
                .isInstanceOf(SdpException.class).hasMessageContaining("hash we do not check: md5");
        assertThatThrownBy(() -> DtlsSetup.answering(offer("UDP/TLS/RTP/SAVP", "actpass", "sha-256 nothex")))
                .isInstanceOf(SdpException.class).hasMessageContaining("malformed a=fingerprint");
    }

    @Test
    void rtpSavpWithAFingerprintAndNoKeyIsDtlsButWithAKeyItIsSdes() throws Exception {
        assertThat(DtlsSetup.wanted(offer("RTP/SAVP", "actpass", FP))).isTrue();
        assertThat(DtlsSetup.wanted(offer("RTP/AVP", "actpass", FP))).isFalse();
        assertThat(DtlsSetup.wanted(offer("RTP/SAVP", null, null))).isFalse();
    }

    @Test
    void ourAnswerCarriesFingerprintAndSetupOnTheOffersProfile() throws Exception {
        String sdp = Sdp.write("127.0.0.1", 16384, List.of(PayloadFormat.PCMU), 20, MediaDirection.SENDRECV, false, 1, 1,
                "UDP/TLS/RTP/SAVPF", null, "sha-256 " + FP.substring(8), "passive");
        MediaDescription back = Sdp.parse(sdp);
        assertThat(back.protocol()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(back.setup()).isEqualTo("passive");
        assertThat(back.fingerprint()).isEqualTo("sha-256 " + FP.substring(8));
        assertThat(back.crypto()).isEmpty();
    }
}
