package io.srproxy.media.rtp;

/** Receives RTP packets on the I/O thread; {@code buf} is reused once the call returns. */
@FunctionalInterface
public interface RtpPacketHandler {
    void onRtp(byte[] buf, int off, int len);
}
