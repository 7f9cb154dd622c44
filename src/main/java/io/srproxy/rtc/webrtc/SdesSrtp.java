package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpProtection;
import java.util.Arrays;

/**
 * SRTP for a SIP leg whose keys came in SDP ({@code a=crypto}, RFC 4568) rather than from a DTLS
 * handshake: AES_CM_128_HMAC_SHA1_80 on {@link SrtpSession}, our master key and salt for what we
 * send, the peer's for what we receive.
 */
public final class SdesSrtp implements RtpProtection {

    /** Master key plus master salt of AES_CM_128_HMAC_SHA1_80: what {@code inline:} carries. */
    public static final int KEY_SALT_LENGTH = 30;

    private final SrtpSession session;
    /** Unprotect runs on the session's one I/O loop thread only. */
    private final SrtpSession.Failure failure = new SrtpSession.Failure();

    private SdesSrtp(SrtpSession session) {
        this.session = session;
    }

    /** {@code ours} and {@code theirs}: 16 bytes of master key then 14 of master salt each. */
    public static SdesSrtp aesCm128HmacSha1_80(byte[] ours, byte[] theirs) {
        if (ours.length != KEY_SALT_LENGTH || theirs.length != KEY_SALT_LENGTH) {
            throw new IllegalArgumentException("AES_CM_128_HMAC_SHA1_80 needs 30 bytes of key and salt");
        }
        SrtpProfile p = SrtpProfile.AES128_CM_HMAC_SHA1_80;
        SrtpKeys keys = new SrtpKeys(p, Arrays.copyOf(ours, p.keyLength), Arrays.copyOfRange(ours, p.keyLength, KEY_SALT_LENGTH),
                Arrays.copyOf(theirs, p.keyLength), Arrays.copyOfRange(theirs, p.keyLength, KEY_SALT_LENGTH));
        return new SdesSrtp(new SrtpSession(keys, false)); // "client" keys are ours
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len) {
        return session.protectRtp(buf, off, len);
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len) {
        return session.unprotectRtp(buf, off, len, failure);
    }

    @Override
    public int protectRtcp(byte[] buf, int off, int len) {
        return session.protectRtcp(buf, off, len);
    }

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len) {
        return session.unprotectRtcp(buf, off, len, failure);
    }

    @Override
    public void close() {
        session.close();
    }
}
