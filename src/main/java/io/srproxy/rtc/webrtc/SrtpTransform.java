package io.srproxy.rtc.webrtc;

/** One peer's SRTP/SRTCP, both directions, in place on the caller's array (see {@link SrtpSession}). */
interface SrtpTransform extends AutoCloseable {

    int protectRtp(byte[] buf, int off, int len);

    int unprotectRtp(byte[] buf, int off, int len, SrtpSession.Failure failure);

    int protectRtcp(byte[] buf, int off, int len);

    int unprotectRtcp(byte[] buf, int off, int len, SrtpSession.Failure failure);

    /** Drops the sending contexts of an SSRC of ours that is retired, so they stay bounded. */
    void forgetSendSsrc(int ssrc);

    @Override
    void close();
}
