package io.srproxy.rtc.webrtc;

import org.jitsi.srtp.SrtpErrorStatus;

/**
 * SRTP and SRTCP for one peer (RFC 3711): protects what we send with our keys and unprotects what
 * the peer sends with its keys, with replay protection on receive. Works in place on the caller's
 * array, which needs {@link #TRAILER_ROOM} spare bytes after the packet. AES128_CM_HMAC_SHA1_80
 * runs on {@link CmSrtp} (JCE, allocation-free); AEAD_AES_128_GCM on jitsi-srtp.
 */
public final class SrtpSession implements AutoCloseable {

    /** Spare bytes a caller leaves after a packet for the tag and SRTCP index. */
    public static final int TRAILER_ROOM = 32;

    /** Why the last unprotect failed (a per-thread holder, so nothing is allocated). */
    public static final class Failure {
        public SrtpErrorStatus last = SrtpErrorStatus.OK;
    }

    private final SrtpProfile profile;
    private final SrtpTransform transform;

    /** {@code server}: we are the DTLS server, so we send with the server's keys. */
    public SrtpSession(SrtpKeys keys, boolean server) {
        this(keys, server, keys.profile() == SrtpProfile.AES128_CM_HMAC_SHA1_80);
    }

    /** The same keys on jitsi-srtp whatever the profile: for the comparison benchmark. */
    public static SrtpSession onJitsi(SrtpKeys keys, boolean server) {
        return new SrtpSession(keys, server, false);
    }

    /** {@code own}: our CM implementation rather than jitsi-srtp (CM only; tests compare the two). */
    SrtpSession(SrtpKeys keys, boolean server, boolean own) {
        this.profile = keys.profile();
        byte[] ourKey = server ? keys.serverKey() : keys.clientKey();
        byte[] ourSalt = server ? keys.serverSalt() : keys.clientSalt();
        byte[] theirKey = server ? keys.clientKey() : keys.serverKey();
        byte[] theirSalt = server ? keys.clientSalt() : keys.serverSalt();
        if (own && profile != SrtpProfile.AES128_CM_HMAC_SHA1_80) {
            throw new IllegalArgumentException("own SRTP does AES128_CM_HMAC_SHA1_80 only");
        }
        transform = own ? new CmSrtp(ourKey, ourSalt, theirKey, theirSalt)
                : new JitsiSrtp(profile, ourKey, ourSalt, theirKey, theirSalt);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Encrypts and authenticates an RTP packet in place; returns its new length, or -1. */
    public int protectRtp(byte[] buf, int off, int len) {
        return transform.protectRtp(buf, off, len);
    }

    /** Authenticates, replay-checks and decrypts in place; returns the RTP length, or -1 and why in {@code failure}. */
    public int unprotectRtp(byte[] buf, int off, int len, Failure failure) {
        return transform.unprotectRtp(buf, off, len, failure);
    }

    public int protectRtcp(byte[] buf, int off, int len) {
        return transform.protectRtcp(buf, off, len);
    }

    public int unprotectRtcp(byte[] buf, int off, int len, Failure failure) {
        return transform.unprotectRtcp(buf, off, len, failure);
    }

    /** Drops the sending contexts of {@code ssrc}, one of ours that will not be sent again. */
    public void forgetSendSsrc(long ssrc) {
        transform.forgetSendSsrc((int) ssrc);
    }

    @Override
    public void close() {
        transform.close();
    }
}
