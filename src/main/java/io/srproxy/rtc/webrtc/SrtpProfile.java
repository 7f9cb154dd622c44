package io.srproxy.rtc.webrtc;

import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtpPolicy;

/** The two SRTP protection profiles negotiated through DTLS use_srtp, with their key sizes. */
public enum SrtpProfile {
    AES128_CM_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, 16, 14),
    AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, 16, 12);

    /** The IANA id used in the use_srtp extension. */
    public final int id;
    public final int keyLength;
    public final int saltLength;

    SrtpProfile(int id, int keyLength, int saltLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
    }

    public static SrtpProfile byId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        return null;
    }

    /** The jitsi-srtp policy for SRTP or SRTCP (both use the same transforms here). */
    public SrtpPolicy policy() {
        SrtpPolicy p = this == AEAD_AES_128_GCM
                ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength)
                : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
        p.setReceiveReplayEnabled(true);
        return p;
    }

    /** Bytes SRTP adds to each RTP packet (the auth tag; SRTCP adds 4 more for its index). */
    public int overhead() {
        return this == AEAD_AES_128_GCM ? 16 : 10;
    }
}
