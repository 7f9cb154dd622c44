package io.srproxy.media.rtp;

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

    /**
     * A DTLS record (RFC 7983: first byte 20..63) from the peer's address on the RTP port
     * ({@code rtcpPort} false) or the RTCP port, for a protection keyed by a handshake on the media
     * ports; others drop it. Runs on the I/O loop: must not block.
     */
    default void onDtlsRecord(boolean rtcpPort, byte[] buf, int off, int len) {}

    /** Whether keys are in place (a handshake-keyed protection drops all media before that). */
    default boolean keyed() {
        return true;
    }

    @Override
    void close();
}
