package io.srproxy.rtc.rtp;

/**
 * A transform on one {@link RtpSession}'s packets (SRTP/SRTCP with keys the signalling agreed),
 * in place on the caller's array; a negative result drops the packet. The session calls the
 * protect methods from its sending threads and the unprotect methods from its I/O loop only.
 */
public interface RtpProtection extends AutoCloseable {

    /** Spare bytes a protected packet may grow by (auth tag, SRTCP index). */
    int TRAILER_ROOM = 32;

    int protectRtp(byte[] buf, int off, int len);

    int unprotectRtp(byte[] buf, int off, int len);

    int protectRtcp(byte[] buf, int off, int len);

    int unprotectRtcp(byte[] buf, int off, int len);

    @Override
    void close();
}
